// Bad input, faults and attacks: each gets a clear status, nothing crashes, and the server
// keeps serving (every test ends with a good request on the same server). Real clients:
// raw sockets for what a well-behaved client cannot send, undici for the rest.

import { connect, type Socket } from "node:net";
import { Readable } from "node:stream";
import { Agent, request } from "undici";
import { describe, expect, it } from "vitest";
import { sleep, type ExceptionContext } from "../../src/index.js";
import { web } from "../../src/http/index.js";
import { CORES, serve } from "./helpers.js";

/** Sends `data` on a fresh socket and returns everything the server sends until it closes. */
function raw(
  base: string,
  data: string | Buffer,
  { end = false, waitMs = 5000 } = {},
): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const s: Socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    }, waitMs);
    s.on("data", (c) => chunks.push(c));
    s.on("error", reject);
    s.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    s.write(data);
    if (end) s.end();
  });
}

function basicApp(): web.Application {
  const app = new web.Application({ clientMaxSize: 1024 });
  app.router.addGet("/", function* () {
    return new web.Response({ text: "fine" });
  });
  app.router.addPost("/upload", function* (request) {
    const body = yield* request.read();
    return new web.Response({ text: `got ${body.length}` });
  });
  return app;
}

async function stillServes(base: string, agent?: Agent): Promise<void> {
  const own = agent ?? new Agent();
  try {
    const res = await request(base + "/", { dispatcher: own });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe("fine");
  } finally {
    if (agent === undefined) await own.close();
  }
}

describe.each(CORES)("faults (%s core)", (core) => {
  it("answers a malformed request line and malformed headers with 400", async () => {
    await serve(
      basicApp(),
      async (base) => {
        expect(await raw(base, "GARBAGE\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 Bad Request/);
        expect(await raw(base, "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")).toMatch(
          /^HTTP\/1\.1 400/,
        );
        expect(
          await raw(base, "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
        ).toMatch(/^HTTP\/1\.1 400/);
        await stillServes(base);
      },
      { core },
    );
  });

  it("answers oversized headers with 431", async () => {
    await serve(
      basicApp(),
      async (base) => {
        const big = "x".repeat(20_000);
        expect(await raw(base, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${big}\r\n\r\n`)).toMatch(
          /^HTTP\/1\.1 431/,
        );
        await stillServes(base);
      },
      { core },
    );
  });

  it("answers a body over clientMaxSize with 413 (Content-Length and chunked), and the client receives it", async () => {
    await serve(
      basicApp(),
      async (base) => {
        const agent = new Agent();
        try {
          const small = await request(base + "/upload", {
            method: "POST",
            body: "x".repeat(100),
            dispatcher: agent,
          });
          expect(await small.body.text()).toBe("got 100");
          const declared = await request(base + "/upload", {
            method: "POST",
            body: Buffer.alloc(4096),
            dispatcher: agent,
          });
          expect(declared.statusCode).toBe(413);
          expect(await declared.body.text()).toBe(
            "Maximum request body size 1024 exceeded, actual body size 4096",
          );
          // Chunked: no length up front, so the limit is found while reading.
          async function* chunks() {
            for (let i = 0; i < 64; i++) yield Buffer.alloc(512, 1);
          }
          const chunked = await request(base + "/upload", {
            method: "POST",
            body: Readable.from(chunks()),
            dispatcher: agent,
          });
          expect(chunked.statusCode).toBe(413);
          expect(await chunked.body.text()).toMatch(/^Maximum request body size 1024 exceeded/);
          await stillServes(base, agent);
        } finally {
          await agent.close();
        }
      },
      { core },
    );
  });

  it("closes a connection whose request head does not arrive in time (slowloris) with 408", async () => {
    await serve(
      basicApp(),
      async (base) => {
        const started = Date.now();
        // Drip the head byte by byte, never finishing it.
        const { hostname, port } = new URL(base);
        const got = await new Promise<string>((resolve) => {
          const s = connect(Number(port), hostname);
          let out = "";
          const drip = setInterval(() => s.write("X-Slow: 1\r\n"), 50);
          s.write("GET / HTTP/1.1\r\nHost: x\r\n");
          s.on("data", (c) => (out += c.toString()));
          s.on("error", () => {});
          s.on("close", () => {
            clearInterval(drip);
            resolve(out);
          });
        });
        const elapsed = Date.now() - started;
        expect(got).toMatch(/^HTTP\/1\.1 408/);
        expect(elapsed).toBeGreaterThanOrEqual(300);
        expect(elapsed).toBeLessThan(3000);
        await stillServes(base);
      },
      {
        core,
        server: { headersTimeout: 400, requestTimeout: 1000, connectionsCheckingInterval: 50 },
      },
    );
  });

  it("answers 500 when a handler throws, reports it, and other requests are unaffected", async () => {
    const app = basicApp();
    app.router.addGet("/throw", function* () {
      yield* sleep(5);
      throw new TypeError("handler bug");
    });
    const errors: ExceptionContext[] = [];
    await serve(
      app,
      async (base) => {
        const agent = new Agent();
        try {
          const results = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              request(base + (i % 2 === 0 ? "/throw" : "/"), { dispatcher: agent }).then(
                async (r) => [r.statusCode, await r.body.text()],
              ),
            ),
          );
          for (const [i, [status, text]] of results.entries()) {
            if (i % 2 === 0) {
              expect(status).toBe(500);
              expect(text).toBe("500 Internal Server Error\n\nServer got itself in trouble");
            } else expect([status, text]).toEqual([200, "fine"]);
          }
        } finally {
          await agent.close();
        }
      },
      { core, errors },
    );
    expect(errors).toHaveLength(10);
    expect((errors[0]!.exception as Error).message).toBe("handler bug");
  });

  it("refuses CR/LF in a header value a handler sets (500, nothing injected)", async () => {
    const app = basicApp();
    app.router.addGet("/inject", function* () {
      const r = new web.Response({ text: "x" });
      r.headers.set("X-Evil", "a\r\nSet-Cookie: pwned=1");
      return r;
    });
    app.router.addGet("/inject-init", function* () {
      return new web.Response({ text: "x", headers: { "X-Evil": "a\r\nSet-Cookie: pwned=1" } });
    });
    const errors: ExceptionContext[] = [];
    await serve(
      app,
      async (base) => {
        for (const path of ["/inject", "/inject-init"]) {
          const res = await raw(
            base,
            `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          );
          expect(res).toMatch(/^HTTP\/1\.1 500/);
          expect(res).not.toMatch(/pwned/);
        }
        await stillServes(base);
      },
      { core, errors },
    );
    expect(errors).toHaveLength(2);
  });

  it("cancels the handler's task when the client disconnects mid-request; its finally runs", async () => {
    const app = basicApp();
    const trace: string[] = [];
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    app.router.addGet("/slow", function* () {
      trace.push("start");
      started();
      try {
        yield* sleep(10_000);
        trace.push("finished (wrong)");
      } catch (e) {
        trace.push(`caught ${(e as Error).name}`);
        throw e;
      } finally {
        trace.push("finally");
      }
      return new web.Response({ text: "late" });
    });
    await serve(
      app,
      async (base, runner) => {
        const { hostname, port } = new URL(base);
        const s = connect(Number(port), hostname);
        s.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        await running;
        s.destroy();
        for (let i = 0; i < 100 && runner.inFlight > 0; i++)
          await new Promise((r) => setTimeout(r, 10));
        expect(runner.inFlight).toBe(0);
        await stillServes(base);
      },
      { core },
    );
    expect(trace).toEqual(["start", "caught CancelledError", "finally"]);
  });

  it("keeps reused keep-alive connections sound across the server's idle timeout", async () => {
    await serve(
      basicApp(),
      async (base) => {
        const agent = new Agent();
        try {
          // Requests separated by gaps below, around and above the 200 ms idle timeout:
          // undici reads the server's Keep-Alive hint and never sends on a dying socket.
          for (const gap of [0, 50, 190, 210, 300, 0, 150]) {
            await new Promise((r) => setTimeout(r, gap));
            await stillServes(base, agent);
          }
        } finally {
          await agent.close();
        }
      },
      { core, server: { keepAliveTimeout: 200 } },
    );
  });

  it("serves 1,000 concurrent keep-alive requests without an error", async () => {
    const app = basicApp();
    app.router.addGet("/{id}", function* (request) {
      yield* sleep(1);
      return new web.Response({ text: request.matchInfo.get("id")! });
    });
    await serve(
      app,
      async (base) => {
        const agent = new Agent({ connections: 100 });
        try {
          const texts = await Promise.all(
            Array.from({ length: 1000 }, (_, i) =>
              request(`${base}/${i}`, { dispatcher: agent }).then(async (r) => {
                expect(r.statusCode).toBe(200);
                return r.body.text();
              }),
            ),
          );
          expect(texts).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
        } finally {
          await agent.close();
        }
      },
      { core },
    );
  });
});
