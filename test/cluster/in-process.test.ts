// superviseWorkers' primary side driven from code, in this test process: node:cluster forks
// test/cluster/fixtures/supervised.ts as the workers (cluster.setupPrimary names it), and
// the test uses the Supervisor handle — workers(), onEvent, shutdown(), closed — instead of
// signals. (This file runs in a process of its own: vitest's forks pool.)

import cluster from "node:cluster";
import { afterAll, describe, expect, it } from "vitest";
import { superviseWorkers } from "../../src/cluster/index.js";
import type { SupervisorEvent, SupervisorReport } from "../../src/cluster/index.js";
import { fixture, get, isAlive } from "./helpers.js";

const pids: number[] = [];

afterAll(() => {
  const left = pids.filter(isAlive);
  for (const pid of left) process.kill(pid, "SIGKILL");
  expect(left, "processes outlived the test").toEqual([]);
});

describe("Supervisor (in this process)", { timeout: 120_000 }, () => {
  it("lists its workers, and shutdown() stops them all and reports", async () => {
    cluster.setupPrimary({
      exec: fixture("supervised.ts"),
      execArgv: ["--import", "tsx"],
      silent: true, // the workers' lines stay out of the test's output
    });
    const events: SupervisorEvent[] = [];
    const lines: string[] = [];
    let listening = 0;
    let allListening!: () => void;
    const ready = new Promise<void>((resolve) => (allListening = resolve));
    const supervisor = superviseWorkers({
      workers: 2,
      start: () => {
        throw new Error("unreachable: the primary never runs start");
      },
      handleSignals: false,
      log: (line) => lines.push(line),
      env: { PORT: "0" },
      onEvent: (e) => {
        events.push(e);
        if (e.type === "fork") pids.push(e.pid);
        if (e.type === "listening" && ++listening === 2) allListening();
      },
    });
    expect(supervisor.role).toBe("primary");
    await ready;

    const table = supervisor.workers();
    expect(table.map((w) => [w.slot, w.state, w.streak])).toEqual([
      [0, "listening", 0],
      [1, "listening", 0],
    ]);
    expect(table.map((w) => w.pid).sort()).toEqual([...pids].sort());
    const port = Number(table[0]!.address!.split(":").pop());
    expect((await get(port, "/7")).body.id).toBe("7");

    const report = (await supervisor.shutdown()) as SupervisorReport;
    expect(report).toEqual({ forks: 2, deaths: 0, killed: 0 });
    expect(supervisor.workers()).toEqual([]);
    expect(events.filter((e) => e.type === "exit").map((e) => "code" in e && e.code)).toEqual([
      0, 0,
    ]);
    expect(events.at(-1)).toEqual({ type: "stopped", alive: [] });
    expect(lines.at(-1)).toBe("spindle cluster: every worker has stopped; alive 0/2");
    // A second shutdown() is the same one, already settled.
    expect(await supervisor.shutdown()).toEqual(report);
    expect(() => superviseWorkers({ start: () => {} })).toThrow(/already called/);
  });
});
