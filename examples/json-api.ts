// A small JSON API: items kept in the application's state (a typed key), created with
// POST, read with GET, removed with DELETE; bad input answers 400, a missing item 404, a
// wrong method 405 (with Allow) — all without a line of error plumbing in the handlers.
// A middleware times every request. Handlers mix generator and async functions.
//
//   npx tsx examples/json-api.ts            # port 8080 (PORT=... to change)
//   curl -X POST localhost:8080/items -d '{"name": "tea"}'   -> 201 {"id":1,"name":"tea"}
//   curl localhost:8080/items/1                               -> 200 {"id":1,"name":"tea"}
//   curl -X DELETE localhost:8080/items/1                     -> 204

import { pathToFileURL } from "node:url";
import { web } from "spindle/http";

interface Item {
  id: number;
  name: string;
}

const store = new web.AppKey<{ items: Map<number, Item>; next: number }>("store");

/** The API's application. */
export function makeApp(log: (line: string) => void = console.log): web.Application {
  const timing: web.Middleware = function* (request, handler) {
    const t0 = performance.now();
    try {
      return yield* handler(request);
    } finally {
      log(`${request.method} ${request.path} ${(performance.now() - t0).toFixed(1)} ms`);
    }
  };
  const app = new web.Application({ middlewares: [timing] });
  app.set(store, { items: new Map(), next: 1 });

  app.router.addGet("/items", function* (request) {
    return web.jsonResponse([...request.app.get(store)!.items.values()]);
  });
  app.router.addPost("/items", async (request) => {
    const body = (await request.json()) as { name?: unknown };
    if (typeof body.name !== "string" || body.name === "")
      throw new web.HTTPBadRequest({ text: "name: a non-empty string" });
    const s = request.app.get(store)!;
    const item = { id: s.next++, name: body.name };
    s.items.set(item.id, item);
    return web.jsonResponse(item, { status: 201 });
  });
  app.router.addGet("/items/{id:\\d+}", function* (request) {
    const item = request.app.get(store)!.items.get(Number(request.matchInfo.get("id")));
    if (item === undefined) throw new web.HTTPNotFound();
    return web.jsonResponse(item);
  });
  app.router.addDelete("/items/{id:\\d+}", function* (request) {
    const deleted = request.app.get(store)!.items.delete(Number(request.matchInfo.get("id")));
    if (!deleted) throw new web.HTTPNotFound();
    return new web.Response({ status: 204 });
  });
  return app;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await web.runApp(makeApp(), { port: Number(process.env["PORT"] ?? 8080) });
}
