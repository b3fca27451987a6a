// superviseWorkers with real processes: a primary and its node:cluster workers, serving HTTP
// on 127.0.0.1 (test/cluster/fixtures/supervised.ts). Each test follows the processes through
// the lines they print, and ends with no process left: every pid it saw is checked.
//
// Time: a worker starts in 0.5–3 s here (tsx compiles the sources in each process; the
// machine is shared), so the waits are generous and the back-off delays are chosen to be
// wider than anything they race with.

import { afterEach, describe, expect, it } from "vitest";
import { Cluster, get, isAlive, type Line } from "./helpers.js";

let cluster: Cluster | null = null;

function start(env: Record<string, string>): Cluster {
  cluster = new Cluster({ PORT: "0", ...env });
  return cluster;
}

afterEach(async () => {
  if (cluster === null) return;
  const left = await cluster.dispose();
  cluster = null;
  expect(left, "processes outlived the test").toEqual([]);
});

// Generous: on a loaded machine each worker start (tsx compiling the sources) can take seconds.
describe("superviseWorkers (real processes)", { timeout: 120_000 }, () => {
  it("replaces a worker killed with SIGKILL while the survivor serves every request", async () => {
    // A 3 s back-off on the replacement: the window in which one worker serves alone.
    const c = start({ WORKERS: "2", BASE_DELAY: "3000" });
    const port = await c.listening(2);
    const [victim, survivor] = c.lines.filter((l) => l.type === "listening").map((l) => l.pid);
    // The primary's table of live workers: both listening, on the shared port.
    c.signal("SIGUSR2");
    const status = await c.waitFor((l) => l.type === "status");
    expect(status.workers!.map((w) => [w.pid, w.slot, w.state, w.address, w.streak])).toEqual(
      [victim, survivor]
        .map((pid) => [
          pid,
          c.lines.find((l) => l.type === "fork" && l.pid === pid)!.slot,
          "listening",
          `127.0.0.1:${port}`,
          0,
        ])
        .sort((a, b) => (a[1] as number) - (b[1] as number)),
    );

    process.kill(victim!, "SIGKILL");
    const exit = await c.waitFor((l) => l.type === "exit" && l.pid === victim);
    expect(exit).toMatchObject({ signal: "SIGKILL", expected: false });
    const restart = await c.waitFor((l) => l.type === "restart");
    expect(restart).toMatchObject({ slot: exit.slot, delay: 3000, streak: 1 });

    // Before the replacement is even forked, every request is served, by the survivor.
    const meanwhile = [];
    for (let i = 0; i < 6; i++) meanwhile.push(await get(port, `/${i}`));
    const forked = c.lines.filter((l) => l.type === "fork");
    expect(forked).toHaveLength(2); // the replacement is still waiting out its back-off
    expect(meanwhile.map((r) => [r.status, r.body.pid])).toEqual(
      meanwhile.map(() => [200, survivor]),
    );

    // The replacement takes the dead worker's slot, no sooner than the back-off said, and
    // gets its share of new connections (round robin in the primary).
    const fork = await c.waitFor(
      (l) => l.type === "fork" && l.slot === exit.slot,
      30_000,
      c.lines.indexOf(exit),
    );
    expect(fork.at - exit.at).toBeGreaterThanOrEqual(3000 - 5);
    await c.waitFor((l) => l.type === "listening" && l.pid === fork.pid);
    const after = new Set<number>();
    for (let i = 0; i < 8 && after.size < 2; i++) after.add((await get(port, `/${i}`)).body.pid);
    expect([...after].sort()).toEqual([fork.pid, survivor].sort());

    // The table again: the replacement took the slot, with the death counted in its streak.
    c.signal("SIGUSR2");
    const again = await c.waitFor((l) => l.type === "status", 30_000, c.lines.indexOf(status) + 1);
    expect(again.workers!.find((w) => w.slot === exit.slot)).toMatchObject({
      pid: fork.pid,
      state: "listening",
      streak: 1,
    });

    c.signal("SIGTERM");
    expect(await c.exited).toEqual({ code: 0, signal: null });
  });

  it("SIGTERM stops every worker, and a slow request in flight still gets its answer", async () => {
    const c = start({ WORKERS: "2", SHUTDOWN_TIMEOUT: "20000" });
    const port = await c.listening(2);
    const slow = get(port, "/slow?ms=1500", 20_000);
    const inFlight = await c.waitFor((l) => l.type === "request");
    const sentAt = Date.now();
    c.signal("SIGTERM");

    const response = await slow;
    expect(response).toEqual({ status: 200, body: { id: "slow", pid: inFlight.pid } });
    expect(await c.exited).toEqual({ code: 0, signal: null });
    // The primary waited for the slow request (1.5 s from its start, most of it after
    // the SIGTERM) instead of cutting it short.
    expect(Date.now() - sentAt).toBeGreaterThan(500);

    const exits = c.lines.filter((l) => l.type === "exit");
    expect(exits).toHaveLength(2);
    // Both workers ended gracefully: exit code 0 after closing their server, none killed.
    for (const e of exits) expect(e).toMatchObject({ code: 0, signal: null, expected: true });
    expect(c.lines.filter((l) => l.type === "kill")).toEqual([]);
    const index = (type: string, pid?: number): number =>
      c.lines.findIndex((l) => l.type === type && (pid === undefined || l.pid === pid));
    expect(index("closing", inFlight.pid)).toBeGreaterThan(index("shutdown"));
    expect(index("closed", inFlight.pid)).toBeLessThan(index("exit", inFlight.pid));
    expect(c.lines.at(-1)).toMatchObject({ type: "stopped", alive: [] });
  });

  it("Ctrl-C (SIGINT to the whole process group) shuts down once, gracefully", async () => {
    const c = start({ WORKERS: "2", SHUTDOWN_TIMEOUT: "20000" });
    const port = await c.listening(2);
    const slow = get(port, "/slow?ms=1000", 20_000);
    const inFlight = await c.waitFor((l) => l.type === "request");
    c.signalGroup("SIGINT"); // the primary and both workers get it at once

    expect(await slow).toEqual({ status: 200, body: { id: "slow", pid: inFlight.pid } });
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(c.lines.filter((l) => l.type === "shutdown")).toMatchObject([{ reason: "SIGINT" }]);
    // Nothing was forked after the shutdown and nothing killed: both workers ended by their
    // own graceful shutdown. (A worker that beats the primary to its exit may be counted a
    // death for a moment, and a restart scheduled — the shutdown cancels it.)
    const shutdownAt = c.lines.findIndex((l) => l.type === "shutdown");
    expect(c.lines.filter((l) => l.type === "fork")).toHaveLength(2);
    expect(c.lines.slice(shutdownAt).filter((l) => l.type === "restart")).toEqual([]);
    expect(c.lines.filter((l) => l.type === "kill")).toEqual([]);
    const exits = c.lines.filter((l) => l.type === "exit");
    expect(exits.map((e) => [e.code, e.signal])).toEqual([
      [0, null],
      [0, null],
    ]);
  });

  it("SIGKILLs a worker still busy when the grace period ends", async () => {
    const c = start({ WORKERS: "1", SHUTDOWN_TIMEOUT: "300" });
    const port = await c.listening(1);
    const slow = get(port, "/slow?ms=20000", 20_000).catch((e: Error) => e);
    const inFlight = await c.waitFor((l) => l.type === "request");
    c.signal("SIGTERM");

    expect(await slow).toBeInstanceOf(Error); // its connection died with the worker
    expect(await c.exited).toEqual({ code: 0, signal: null });
    const kill = c.lines.find((l) => l.type === "kill");
    expect(kill).toMatchObject({ pid: inFlight.pid });
    const shutdown = c.lines.find((l) => l.type === "shutdown")!;
    expect(kill!.at - shutdown.at).toBeGreaterThanOrEqual(300 - 5);
    expect(c.lines.find((l) => l.type === "exit")).toMatchObject({ signal: "SIGKILL" });
  });

  it("recycles a worker sent SIGTERM; a primary killed outright leaves no worker behind", async () => {
    const c = start({ WORKERS: "2", BASE_DELAY: "100" });
    await c.listening(2);
    const [first] = c.lines.filter((l) => l.type === "listening").map((l) => l.pid);

    // SIGTERM to one worker: its own graceful exit (code 0), which the primary did not ask
    // for — so it is replaced.
    process.kill(first!, "SIGTERM");
    const exit = await c.waitFor((l) => l.type === "exit" && l.pid === first);
    expect(exit).toMatchObject({ code: 0, signal: null, expected: false });
    const fork = await c.waitFor((l) => l.type === "fork", 30_000, c.lines.indexOf(exit));
    expect(fork.slot).toBe(exit.slot);
    await c.waitFor((l) => l.type === "listening" && l.pid === fork.pid);

    // SIGKILL to the primary: no shutdown runs, but node:cluster ends each worker when its
    // IPC channel to the primary closes.
    c.signal("SIGKILL");
    expect(await c.exited).toEqual({ code: null, signal: "SIGKILL" });
    const workers = c.pids().filter((pid) => pid !== c.pid);
    const deadline = Date.now() + 10_000;
    while (workers.some(isAlive) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(workers.filter(isAlive)).toEqual([]);
  });

  it("backs off a worker that crashes at start, doubling the delay, then gives up", async () => {
    const c = start({
      WORKERS: "1",
      CRASH_AT_START: "1",
      BASE_DELAY: "200",
      MAX_CRASHES: "4",
      STABLE_AFTER: "60000",
    });
    const { code } = await c.exited;
    const of = (type: string): Line[] => c.lines.filter((l) => l.type === type);

    // Four forks, four deaths (exit code 1: the start function threw), three restarts.
    expect(of("fork")).toHaveLength(4);
    expect(of("exit").map((l) => [l.code, l.expected])).toEqual(of("exit").map(() => [1, false]));
    const restarts = of("restart");
    expect(restarts.map((l) => l.streak)).toEqual([1, 2, 3]);
    // Each delay doubles the one before.
    const delays = restarts.map((l) => l.delay!);
    expect(delays.slice(1)).toEqual(delays.slice(0, -1).map((d) => d * 2));
    // …and each fork waited at least its delay after the death before it.
    const exits = of("exit");
    of("fork")
      .slice(1)
      .forEach((fork, i) => expect(fork.at - exits[i]!.at).toBeGreaterThanOrEqual(delays[i]! - 5));

    expect(of("give-up")).toMatchObject([{ slot: 0, streak: 4 }]);
    expect(of("error")).toMatchObject([{ name: "WorkersGaveUpError" }]);
    expect(code).toBe(1);
    expect(c.stderr).toContain("crash at start (CRASH_AT_START=1)");
    expect(c.stderr).toContain("giving up after 4 deaths in a row");
  });
});
