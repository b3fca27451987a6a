// ClientSession against a spindle server on 127.0.0.1: the request options, the response's
// surface, timeouts, limits, async use — and that no pool slot leaks, whatever happens to
// a response (unread and released, failed, cancelled, timed out): after each kind, the
// Agent runs nothing and a fresh request on the one-connection pool still goes through.

import { describe, expect, it } from "vitest";
import { createTask, fromPromise, sleep, timeout, TimeoutError } from "../../src/index.js";
import {
  ClientConnectorError,
  ClientResponseError,
  ClientSession,
  ClientTimeoutError,
  web,
} from "../../src/http/index.js";
import { CORES, caught, serve } from "./helpers.js";

function app(): web.Application {
  const a = new web.Application();
  a.router.addGet("/echo", function* (request) {
    return web.jsonResponse({
      query: Object.fromEntries(request.query),
      header: request.headers.get("x-test"),
      cookie: request.cookies["sid"] ?? null,
    });
  });
  a.router.addPost("/echo", function* (request) {
    const type = request.contentType;
    if (type === "application/json") return web.jsonResponse({ json: yield* request.json() });
    if (type === "application/x-www-form-urlencoded") {
      const form = yield* request.post();
      return web.jsonResponse({ form: form.get("a") });
    }
    return web.jsonResponse({ text: yield* request.text() });
  });
  a.router.addGet("/big", function* () {
    return new web.Response({ body: Buffer.alloc(1 << 20, 7) });
  });
  a.router.addGet("/slow", function* () {
    yield* sleep(2000);
    return new web.Response({ text: "slow" });
  });
  a.router.addGet("/drip", function* (request) {
    const resp = new web.StreamResponse();
    yield* resp.prepare(request);
    for (let i = 0; i < 40; i++) {
      yield* resp.write("x".repeat(100));
      yield* sleep(20);
    }
    yield* resp.writeEof();
    return resp;
  });
  a.router.addGet("/login", function* () {
    const r = new web.Response({ text: "in" });
    r.setCookie("sid", "abc123", { httpOnly: true });
    return r;
  });
  a.router.addGet("/missing", function* () {
    throw new web.HTTPNotFound();
  });
  return a;
}

/** The Agent's running and pending requests across origins: 0 when no slot is held. */
function busy(session: ClientSession): number {
  let n = 0;
  for (const s of Object.values(session.dispatcher.stats))
    if ("queued" in s) n += s.running + s.pending + s.queued;
  return n;
}

describe.each(CORES)("ClientSession (%s core)", (core) => {
  it("sends params, headers, json and form data, and reads status, reason, headers, url, text, json, read", async () => {
    await serve(
      app(),
      (base) =>
        function* () {
          const session = new ClientSession({ baseUrl: base, headers: { "X-Test": "yes" } });
          try {
            const res = yield* session.get("/echo?z=0", { params: { a: 1, b: ["x", "y"] } });
            expect([res.status, res.reason, res.ok]).toEqual([200, "OK", true]);
            expect(res.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
            expect(res.url.href).toBe(`${base}/echo?z=0&a=1&b=x&b=y`);
            expect(yield* res.json()).toEqual({
              query: { z: "0", a: "1", b: "y" },
              header: "yes",
              cookie: null,
            });
            const j = yield* session.post("/echo", { json: { k: [1, 2] } });
            expect(yield* j.json()).toEqual({ json: { k: [1, 2] } });
            const f = yield* session.post("/echo", { data: { a: "b c" } });
            expect(yield* f.json()).toEqual({ form: "b c" });
            const t = yield* session.post("/echo", { data: "plain" });
            expect(JSON.parse((yield* t.read()).toString())).toEqual({ text: "plain" });
            const missing = yield* session.get("/missing");
            expect(missing.status).toBe(404);
            expect(() => missing.raiseForStatus()).toThrow(ClientResponseError);
            // Cookies the server sets are sent back.
            yield* (yield* session.get("/login")).text();
            expect((yield* (yield* session.get("/echo")).json<{ cookie: string }>()).cookie).toBe(
              "abc123",
            );
            expect(busy(session)).toBe(0);
          } finally {
            yield* session.close();
          }
        },
      { core },
    );
  });

  it("works from async functions too (await instead of yield*)", async () => {
    await serve(
      app(),
      (base) => async () => {
        const session = new ClientSession();
        try {
          const res = await session.get(`${base}/echo`, { params: { q: "1" } });
          expect(res.status).toBe(200);
          expect(await res.json()).toMatchObject({ query: { q: "1" } });
        } finally {
          await session.close();
        }
      },
      { core },
    );
  });

  it("raiseForStatus on the session throws for 4xx and releases the response", async () => {
    await serve(
      app(),
      (base) =>
        function* () {
          const session = new ClientSession({ raiseForStatus: true, limitPerHost: 1 });
          try {
            for (let i = 0; i < 3; i++) {
              const err = yield* caught(session.get(`${base}/missing`));
              expect(err).toBeInstanceOf(ClientResponseError);
              expect((err as ClientResponseError).status).toBe(404);
            }
            expect(busy(session)).toBe(0);
          } finally {
            yield* session.close();
          }
        },
      { core },
    );
  });

  it("never leaks a pool slot: unread-and-released, failed, cancelled and timed-out responses", async () => {
    await serve(
      app(),
      (base) =>
        function* () {
          // One connection per host and one request in flight: a leaked slot would hang
          // the next request (each is bounded by a timeout scope).
          const session = new ClientSession({ limitPerHost: 1, limit: 1 });
          const ok = function* () {
            const res = yield* timeout(3000, session.get(`${base}/echo`));
            expect(res.status).toBe(200);
            yield* res.text();
          };
          try {
            for (let i = 0; i < 3; i++) {
              (yield* session.get(`${base}/big`)).release(); // unread
              yield* ok();
              const bad = yield* caught(session.get("http://127.0.0.1:1/"));
              expect(bad).toBeInstanceOf(ClientConnectorError);
              yield* ok();
              const t = createTask(session.get(`${base}/slow`));
              yield* sleep(50);
              t.cancel(); // cancelled while waiting for the response
              yield* fromPromise(Promise.resolve(t).catch(() => {}));
              yield* ok();
              const timed = yield* caught(session.get(`${base}/slow`, { timeout: { total: 100 } }));
              expect(timed).toBeInstanceOf(ClientTimeoutError);
              expect((timed as ClientTimeoutError).kind).toBe("total");
              yield* ok();
              // A body cancelled half-read.
              const drip = yield* session.get(`${base}/drip`);
              const reader = createTask(drip.read());
              yield* sleep(50);
              reader.cancel();
              yield* fromPromise(Promise.resolve(reader).catch(() => {}));
              yield* ok();
            }
            expect(busy(session)).toBe(0);
          } finally {
            yield* session.close();
          }
        },
      { core },
    );
  });

  it("sockRead times out a silent server; a timeout scope around a request cancels it cleanly", async () => {
    await serve(
      app(),
      (base) =>
        function* () {
          const session = new ClientSession({ timeout: { sockRead: 150 }, limitPerHost: 1 });
          try {
            const e = yield* caught(session.get(`${base}/slow`));
            expect(e).toBeInstanceOf(ClientTimeoutError);
            expect((e as ClientTimeoutError).kind).toBe("sockRead");
            let scoped: unknown = null;
            try {
              yield* timeout(100, session.get(`${base}/slow`));
            } catch (x) {
              scoped = x;
            }
            expect(scoped).toBeInstanceOf(TimeoutError);
            const res = yield* session.get(`${base}/echo`);
            expect(res.status).toBe(200);
            yield* res.text();
            expect(busy(session)).toBe(0);
          } finally {
            yield* session.close();
          }
        },
      { core },
    );
  });

  it("limit bounds the requests in flight: 10 slow requests with limit 2 take 5 rounds", async () => {
    const a = app();
    let now = 0;
    let most = 0;
    a.router.addGet("/count", function* () {
      now++;
      most = Math.max(most, now);
      yield* sleep(30);
      now--;
      return new web.Response({ text: "ok" });
    });
    await serve(
      a,
      (base) =>
        function* () {
          const session = new ClientSession({ limit: 2 });
          try {
            const tasks = Array.from({ length: 10 }, () =>
              createTask(function* () {
                return yield* (yield* session.get(`${base}/count`)).text();
              }),
            );
            for (const t of tasks) expect(yield* t).toBe("ok");
            expect(most).toBe(2);
          } finally {
            yield* session.close();
          }
        },
      { core },
    );
  });
});
