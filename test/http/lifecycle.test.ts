// The application's lifecycle and graceful shutdown: onStartup / onShutdown / onCleanup in
// aiohttp's order, runApp's banner, and what stopping does to connections — new ones are
// refused, idle keep-alive ones close, in-flight requests finish within shutdownTimeout,
// and those past it are cancelled (their finally blocks run) and their connections closed.

import { connect } from "node:net";
import { Agent, request } from "undici";
import { describe, expect, it } from "vitest";
import { createTask, fromPromise, run, sleep } from "../../src/index.js";
import { web } from "../../src/http/index.js";
import { CORES, openFds } from "./helpers.js";

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe.each(CORES)("lifecycle (%s core)", (core) => {
  it("runs the signals in aiohttp's order around serving, and prints where it listens", async () => {
    const trace: string[] = [];
    const app = new web.Application();
    app.onStartup.push(function* () {
      yield* sleep(1);
      trace.push("startup");
    });
    app.onShutdown.push(async () => void trace.push("shutdown"));
    app.onCleanup.push(() => void trace.push("cleanup"));
    const sub = new web.Application();
    sub.onStartup.push(() => void trace.push("sub startup"));
    sub.onCleanup.push(() => void trace.push("sub cleanup"));
    app.addSubapp("/sub", sub);
    app.router.addGet("/", function* () {
      trace.push("request");
      return new web.Response({ text: "hi" });
    });
    const stop = new AbortController();
    const printed: string[] = [];
    await web.runApp(app, {
      host: "127.0.0.1",
      port: 0,
      core,
      handleSignals: false,
      signal: stop.signal,
      print: (line) => printed.push(line),
      onListening: (site) => {
        void (async () => {
          const agent = new Agent();
          const res = await request(`http://127.0.0.1:${site.port}/`, { dispatcher: agent });
          trace.push(`got ${await res.body.text()}`);
          await agent.close();
          stop.abort();
        })();
      },
    });
    expect(trace).toEqual([
      "startup",
      "sub startup",
      "request",
      "got hi",
      "shutdown",
      "sub cleanup",
      "cleanup",
    ]);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(
      /^======== Running on http:\/\/127\.0\.0\.1:\d+ ========\n\(Press CTRL\+C to quit\)$/,
    );
  });

  it("graceful stop: refuses new connections, closes idle ones, lets in-flight requests finish", async () => {
    const fdsBefore = openFds();
    const app = new web.Application();
    const trace: string[] = [];
    app.router.addGet("/slow", function* () {
      yield* sleep(300);
      trace.push("slow done");
      return new web.Response({ text: "slow" });
    });
    app.router.addGet("/", function* () {
      return new web.Response({ text: "fast" });
    });
    await run(
      function* () {
        const runner = new web.AppRunner(app, { shutdownTimeout: 5000 });
        yield* runner.setup();
        const site = new web.TCPSite(runner, "127.0.0.1", 0);
        yield* site.start();
        const base = `http://127.0.0.1:${site.port}`;
        const idleAgent = new Agent();
        const busyAgent = new Agent();
        // An idle keep-alive connection, and a request in flight.
        const idle = yield* fromPromise(request(base + "/", { dispatcher: idleAgent }));
        yield* fromPromise(idle.body.text());
        const slow = request(base + "/slow", { dispatcher: busyAgent }).then(async (r) => [
          r.statusCode,
          await r.body.text(),
        ]);
        yield* sleep(50);
        const cleanup = createTask(runner.cleanup());
        yield* sleep(50);
        // New connections are refused while the in-flight request finishes.
        const refused = yield* fromPromise(
          new Promise<string>((resolve) => {
            const s = connect(site.port, "127.0.0.1");
            s.on("connect", () => {
              s.destroy();
              resolve("connected");
            });
            s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
          }),
        );
        expect(refused).toBe("ECONNREFUSED");
        expect(yield* fromPromise(slow)).toEqual([200, "slow"]);
        yield* cleanup;
        trace.push("cleaned up");
        yield* fromPromise(Promise.all([idleAgent.close(), busyAgent.close()]));
      },
      { core },
    );
    expect(trace).toEqual(["slow done", "cleaned up"]);
    await until(() => openFds() <= fdsBefore);
  });

  it("past shutdownTimeout, a request still running is cancelled and its connection closed", async () => {
    const app = new web.Application();
    const trace: string[] = [];
    app.router.addGet("/forever", function* () {
      try {
        yield* sleep(60_000);
      } finally {
        trace.push("handler finally");
      }
      return new web.Response({ text: "never" });
    });
    await run(
      function* () {
        const runner = new web.AppRunner(app, { shutdownTimeout: 100 });
        yield* runner.setup();
        const site = new web.TCPSite(runner, "127.0.0.1", 0);
        yield* site.start();
        const agent = new Agent();
        const forever = request(`http://127.0.0.1:${site.port}/forever`, {
          dispatcher: agent,
        }).then(
          () => "answered",
          (e: Error) => e.name,
        );
        yield* sleep(50);
        const t0 = performance.now();
        yield* runner.cleanup();
        const took = performance.now() - t0;
        expect(took).toBeGreaterThanOrEqual(90);
        expect(took).toBeLessThan(2000);
        expect(yield* fromPromise(forever)).toMatch(/SocketError|Error/);
        yield* fromPromise(agent.close());
      },
      { core },
    );
    expect(trace).toEqual(["handler finally"]);
  });
});
