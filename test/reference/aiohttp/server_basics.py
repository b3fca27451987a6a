# /usr/bin/python3 test/reference/aiohttp/server_basics.py 2>/dev/null > test/reference/aiohttp/server_basics.txt
# aiohttp's observable server behaviour that spindle/http mirrors: statuses, Allow on 405,
# the default 404/405/500 bodies, HEAD for GET routes, middleware order, thrown and returned
# HTTP exceptions, multi-valued query, the tutorial's two routes, subapps.
import asyncio
from aiohttp import web, ClientSession


def middleware(name):
    @web.middleware
    async def mw(request, handler):
        print(f"{name} before {request.path}")
        try:
            return await handler(request)
        finally:
            print(f"{name} after {request.path}")

    return mw


async def index(request):
    return web.Response(text=request.path, status=201)


async def by_id(request):
    print("matchInfo", dict(request.match_info))
    print("queryString", repr(request.query_string))
    return web.Response(text=request.match_info.get("id", "0000"))


async def number(request):
    return web.json_response({"n": int(request.match_info["n"])})


async def echo_json(request):
    data = await request.json()
    return web.json_response({"got": data})


async def query(request):
    return web.json_response({"a": request.query.getall("a", []), "b": request.query.get("b")})


async def boom(request):
    raise RuntimeError("boom")


async def gone(request):
    raise web.HTTPGone()


async def redirect(request):
    raise web.HTTPFound("/")


async def sub_hello(request):
    return web.Response(text="sub " + request.path + " " + request.app["name"])


async def main():
    app = web.Application(middlewares=[middleware("outer"), middleware("inner")])
    app.router.add_get("/", index)
    app.router.add_get("/n/{n:\\d+}", number)
    app.router.add_post("/json", echo_json)
    app.router.add_get("/query", query)
    app.router.add_get("/boom", boom)
    app.router.add_route("*", "/gone", gone)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/{id}", by_id)
    sub = web.Application()
    sub["name"] = "subapp"
    sub.router.add_get("/hello", sub_hello)
    app.add_subapp("/sub", sub)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    async with ClientSession() as session:
        cases = [
            ("GET", "/", None),
            ("GET", "/42?x=1&y=2", None),
            ("HEAD", "/", None),
            ("POST", "/", None),
            ("DELETE", "/n/7", None),
            ("GET", "/n/7", None),
            ("GET", "/n/x7", None),
            ("GET", "/no/such/path", None),
            ("POST", "/json", b'{"a": 1}'),
            ("GET", "/query?a=1&a=2&b=3", None),
            ("GET", "/boom", None),
            ("PATCH", "/gone", None),
            ("GET", "/sub/hello", None),
            ("GET", "/sub/nothing", None),
        ]
        for method, path, body in cases:
            async with session.request(method, base + path, data=body, allow_redirects=False) as res:
                text = await res.text()
                allow = res.headers.get("Allow")
                ctype = res.headers.get("Content-Type")
                print(method, path, res.status, res.reason, f"allow={allow}", f"type={ctype}", repr(text))
        async with session.get(base + "/redirect", allow_redirects=False) as res:
            print("GET /redirect", res.status, res.headers.get("Location"))
    await runner.cleanup()


asyncio.run(main())
