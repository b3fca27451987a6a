// `workers` on the servers: web.runApp(app, { workers }) and startServer(…, { workers }),
// with real processes (test/cluster/fixtures/run-app.ts and start-server.ts). The program
// runs in the primary and again in each worker; the tests follow them by the lines they
// print and end with no process left.

import { afterEach, describe, expect, it } from "vitest";
import { Cluster, exchange, fixture, get } from "./helpers.js";

let cluster: Cluster | null = null;

afterEach(async () => {
  if (cluster === null) return;
  const left = await cluster.dispose();
  cluster = null;
  expect(left, "processes outlived the test").toEqual([]);
});

describe.each(["wasm", "ts"] as const)(
  "web.runApp(app, { workers, core: %s })",
  { timeout: 120_000 },
  (core) => {
    it("serves from every worker; SIGTERM runs each worker's graceful shutdown, in-flight request included", async () => {
      const c = (cluster = new Cluster({ WORKERS: "2", CORE: core }, fixture("run-app.ts")));
      const port = await c.listening(2);
      const pids = new Set<number>();
      for (let i = 0; i < 8 && pids.size < 2; i++) {
        const r = await get(port, `/item-${i}`);
        // Each worker's loop runs on the core runApp was given.
        expect(r).toMatchObject({ status: 200, body: { id: `item-${i}`, core } });
        pids.add(r.body.pid);
      }
      const workers = c.lines.filter((l) => l.type === "listening").map((l) => l.pid);
      expect([...pids].sort()).toEqual([...workers].sort());
      // The banner once, from the worker of slot 0, with the port the workers share.
      const banners = c.lines.filter((l) => l.type === "banner");
      expect(banners).toHaveLength(1);
      expect(banners[0]!.line).toContain(`http://127.0.0.1:${port}`);

      const slow = get(port, "/slow/1500", 20_000);
      const inFlight = await c.waitFor((l) => l.type === "request");
      c.signal("SIGTERM");
      expect(await slow).toEqual({ status: 200, body: { id: "slow", pid: inFlight.pid } });
      expect(await c.exited).toEqual({ code: 0, signal: null });

      // Each worker ran the app's cleanup and exited 0; then runApp returned in the primary.
      for (const pid of workers) {
        expect(c.lines.find((l) => l.type === "cleanup" && l.pid === pid)).toBeDefined();
        expect(c.lines.find((l) => l.type === "exit" && l.pid === pid)).toMatchObject({
          code: 0,
          expected: true,
        });
      }
      expect(c.lines.filter((l) => l.type === "kill")).toEqual([]);
      expect(c.lines.filter((l) => l.type === "returned").map((l) => l.pid)).toEqual([c.pid]);
    });
  },
);

describe.each([
  ["startServer(…, { workers })", "start-server.ts"],
  ["gevent's StreamServer with { workers }", "gevent-server.ts"],
])("%s", { timeout: 120_000 }, (_name, program) => {
  it("serves from every worker; SIGTERM lets an open connection finish, then serveForever returns", async () => {
    const c = (cluster = new Cluster({ WORKERS: "2" }, fixture(program)));
    const port = await c.listening(2);
    const pids = new Set<string>();
    for (let i = 0; i < 8 && pids.size < 2; i++) pids.add(await exchange(port, "0"));
    const workers = c.lines.filter((l) => l.type === "listening").map((l) => String(l.pid));
    expect([...pids].sort()).toEqual([...workers].sort());

    const slow = exchange(port, "1500", 20_000);
    const inFlight = await c.waitFor((l) => l.type === "request" && l.path === "/1500");
    c.signal("SIGTERM");
    expect(await slow).toBe(String(inFlight.pid));
    expect(await c.exited).toEqual({ code: 0, signal: null });

    // Every process's serveForever returned: the workers' (their servers had listened)
    // and the primary's (startServer returned a server that never did).
    const returned = c.lines.filter((l) => l.type === "returned");
    expect(returned.map((l) => [l.pid, l.listening]).sort()).toEqual(
      [[c.pid, false], ...workers.map((pid) => [Number(pid), false])].sort(),
    );
    for (const pid of workers)
      expect(c.lines.find((l) => l.type === "exit" && l.pid === Number(pid))).toMatchObject({
        code: 0,
        expected: true,
      });
  });
});
