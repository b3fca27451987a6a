// The protocol between the main thread and the worker-side runner: the constants, a slot
// moving as slots.ts and runner.js say, and the runner skipping a job
// cancelled after its hand-off but before it started — a window too short to hit from a
// real pool on purpose, so the runner is driven here from a thread of this test's own.

import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import * as runner from "../../src/executor/runner.js";
import * as protocol from "../../src/executor/protocol.js";
import * as slots from "../../src/executor/slots.js";
import { TRANSFER } from "../../src/executor/transfer.js";
import { JOBS, STARTED, flags } from "./helpers.js";

describe("the runner protocol", () => {
  it("numbers the slot states apart, FREE being 0: fresh shared memory is all free slots", () => {
    const states = [
      runner.FREE,
      runner.QUEUED,
      runner.RUNNING,
      runner.CANCELLED,
      runner.ABORTED,
      runner.DONE,
    ];
    expect(new Set(states).size).toBe(6);
    expect(runner.FREE).toBe(0);
    expect(slots.QUEUED).toBe(runner.QUEUED); // one definition, re-exported
    expect(new Set([protocol.OK, protocol.FAILED, protocol.SKIPPED]).size).toBe(3);
    expect(TRANSFER).toBe(Symbol.for("spindle.executor.transfer"));
  });

  it("a slot: taken QUEUED, cancelled before start → CANCELLED; while running → ABORTED", () => {
    const s = new slots.Slots(2);
    const a = s.take();
    expect(s.state(a)).toBe(slots.QUEUED);
    expect(s.cancel(a)).toBe(slots.QUEUED);
    expect(s.state(a)).toBe(slots.CANCELLED);
    const b = s.take();
    const view = new Int32Array(s.buffer);
    Atomics.store(view, b, slots.RUNNING); // what the runner does when it starts
    expect(s.cancel(b)).toBe(slots.RUNNING);
    expect(s.state(b)).toBe(slots.ABORTED);
    Atomics.store(view, b, slots.DONE);
    expect(s.cancel(b)).toBe(slots.DONE); // finished: nothing to do
    expect(s.state(b)).toBe(slots.DONE);
    s.release(a);
    s.release(b);
    expect(s.state(a)).toBe(slots.FREE);
    expect(() => [s.take(), s.take(), s.take()]).toThrow(/all 2 job slots are taken/);
  });

  it("the runner skips a job cancelled before it starts, and runs one still QUEUED", async () => {
    const states = new Int32Array(new SharedArrayBuffer(8));
    const calls = flags();
    const runnerUrl = new URL("../../src/executor/runner.js", import.meta.url).href;
    const worker = new Worker(
      `import { parentPort } from "node:worker_threads";
       const { default: run } = await import(${JSON.stringify(runnerUrl)});
       parentPort.on("message", async (job) => parentPort.postMessage(await run(job)));`,
      { eval: true, workerData: { states: states.buffer }, type: "module" } as never,
    );
    const ask = (job: protocol.Payload) =>
      new Promise<protocol.Outcome>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
        worker.postMessage(job);
      });
    try {
      Atomics.store(states, 0, slots.CANCELLED);
      expect(await ask({ u: JOBS.href, n: "countCall", a: [calls.buffer], s: 0 })).toEqual([
        protocol.SKIPPED,
      ]);
      expect(Atomics.load(calls, STARTED)).toBe(0);
      Atomics.store(states, 1, slots.QUEUED);
      expect(await ask({ u: JOBS.href, n: "countCall", a: [calls.buffer], s: 1 })).toEqual([
        protocol.OK,
        "ran",
      ]);
      expect(Atomics.load(calls, STARTED)).toBe(1);
      expect(Atomics.load(states, 1)).toBe(slots.DONE);
    } finally {
      await worker.terminate();
    }
  });
});
