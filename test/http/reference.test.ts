// spindle/http against aiohttp: the program of test/reference/aiohttp/server_basics.py
// translated, printing the same trace — statuses, reasons, Allow, content types, bodies,
// middleware order, HEAD for GET, 404/405/500 bodies, sub-applications, redirects. JSON
// bodies are printed in Python's json.dumps spacing (JSON.stringify is compact; the data
// is the same).

import { Agent, request } from "undici";
import { describe, expect, it } from "vitest";
import type { ExceptionContext } from "../../src/index.js";
import { web } from "../../src/http/index.js";
import { printer, referenceTrace } from "../reference/trace.js";
import { CORES, pyJson, pyRepr, serve } from "./helpers.js";

function translation(print: (...parts: unknown[]) => void): web.Application {
  const middleware = (name: string): web.Middleware =>
    function* (request, handler) {
      print(`${name} before ${request.path}`);
      try {
        return yield* handler(request);
      } finally {
        print(`${name} after ${request.path}`);
      }
    };
  const app = new web.Application({ middlewares: [middleware("outer"), middleware("inner")] });
  app.router.addGet("/", function* (request) {
    return new web.Response({ text: request.path, status: 201 });
  });
  app.router.addGet("/n/{n:\\d+}", function* (request) {
    return web.jsonResponse({ n: Number(request.matchInfo.get("n")) }, { dumps: pyJson });
  });
  app.router.addPost("/json", async (request) => {
    const data = await request.json();
    return web.jsonResponse({ got: data }, { dumps: pyJson });
  });
  app.router.addGet("/query", function* (request) {
    return web.jsonResponse(
      { a: request.query.getAll("a"), b: request.query.get("b") },
      { dumps: pyJson },
    );
  });
  app.router.addGet("/boom", function* () {
    throw new Error("boom");
  });
  app.router.addRoute("*", "/gone", function* () {
    throw new web.HTTPGone();
  });
  app.router.addGet("/redirect", function* () {
    throw new web.HTTPFound("/");
  });
  app.router.addGet("/{id}", function* (request) {
    print("matchInfo", pyJson(Object.fromEntries(request.matchInfo)).replace(/"/g, "'"));
    print("queryString", pyRepr(request.queryString));
    return new web.Response({ text: request.matchInfo.get("id", "0000") });
  });
  const sub = new web.Application();
  sub.set("name", "subapp");
  sub.router.addGet("/hello", function* (request) {
    return new web.Response({ text: `sub ${request.path} ${String(request.app.get("name"))}` });
  });
  app.addSubapp("/sub", sub);
  return app;
}

const CASES: Array<[string, string, string | undefined]> = [
  ["GET", "/", undefined],
  ["GET", "/42?x=1&y=2", undefined],
  ["HEAD", "/", undefined],
  ["POST", "/", undefined],
  ["DELETE", "/n/7", undefined],
  ["GET", "/n/7", undefined],
  ["GET", "/n/x7", undefined],
  ["GET", "/no/such/path", undefined],
  ["POST", "/json", '{"a": 1}'],
  ["GET", "/query?a=1&a=2&b=3", undefined],
  ["GET", "/boom", undefined],
  ["PATCH", "/gone", undefined],
  ["GET", "/sub/hello", undefined],
  ["GET", "/sub/nothing", undefined],
];

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  302: "Found",
  404: "Not Found",
  405: "Method Not Allowed",
  410: "Gone",
  500: "Internal Server Error",
};

describe.each(CORES)("aiohttp reference (%s core)", (core) => {
  it("server_basics: the same statuses, headers, bodies and middleware order as aiohttp", async () => {
    const { lines, print } = printer();
    const app = translation(print);
    const errors: unknown[] = [];
    const reported: ExceptionContext[] = [];
    await serve(
      app,
      async (base) => {
        const agent = new Agent();
        try {
          for (const [method, path, body] of CASES) {
            const res = await request(base + path, { method, body, dispatcher: agent });
            const text = await res.body.text();
            const allow = res.headers["allow"] ?? "None";
            const type = res.headers["content-type"] ?? "None";
            print(
              method,
              path,
              res.statusCode,
              REASONS[res.statusCode],
              `allow=${String(allow)}`,
              `type=${String(type)}`,
              pyRepr(text),
            );
          }
          const res = await request(base + "/redirect", { dispatcher: agent });
          await res.body.dump();
          print("GET /redirect", res.statusCode, res.headers["location"]);
        } finally {
          await agent.close();
        }
      },
      { core, errors: reported },
    ).catch((e: unknown) => errors.push(e));
    expect(errors).toEqual([]);
    // The handler that threw was reported (aiohttp logs "Error handling request").
    expect(reported.map((c) => [c.message, (c.exception as Error).message])).toEqual([
      ["Error handling request GET /boom", "boom"],
    ]);
    expect(lines).toEqual(referenceTrace("aiohttp", "server_basics"));
  });
});
