// runInExecutor / toThread on worker threads, on both cores: results, parallelism while the
// loop keeps running, FIFO order, cancellation of waiting and running jobs, errors, transfer,
// async code, and the pool's lifetime (no thread outlives run()).
//
// These tests run real threads on the real clock. Jobs are small (tens of ms at most), and
// every wait on a job has a bound in seconds that a passing run never reaches.

import { availableParallelism, loadavg } from "node:os";
import { threadId } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  ExecutorError,
  ExportNotFoundError,
  ModuleNotFoundError,
  ThreadPoolExecutor,
  createTask,
  gather,
  getDefaultExecutor,
  getRunningLoop,
  run,
  runInExecutor,
  setDefaultExecutor,
  sleep,
  timeout,
  toThread,
  transfer,
} from "../../src/index.js";
import { FINISHED, JOBS, SAW_ABORT, STARTED, flags, until, untilAsync } from "./helpers.js";

type CoreName = "wasm" | "ts";

/** Installs a fresh executor as the running loop's default (shut down when the loop closes). */
function useExecutor(options: ConstructorParameters<typeof ThreadPoolExecutor>[0] = {}) {
  const executor = new ThreadPoolExecutor(options);
  setDefaultExecutor(getRunningLoop()!, executor);
  return executor;
}

describe.each(["wasm", "ts"] as CoreName[])("runInExecutor on the %s core", (core) => {
  it("runs a module's exported function on a worker thread and returns its result", async () => {
    const got = await run(
      function* () {
        useExecutor({ maxWorkers: 1 });
        const sum = yield* runInExecutor<number>(JOBS, "add", 2, 3);
        const later = yield* toThread<number>(JOBS, "addLater", 3, 4); // an async export
        const thread = yield* runInExecutor<number>(JOBS, "whoAmI");
        return { sum, later, thread };
      },
      { core },
    );
    expect(got.sum).toBe(5);
    expect(got.later).toBe(7);
    expect(got.thread).not.toBe(threadId);
  });

  it("runs two CPU-bound jobs in parallel on two cores while a ticker keeps ticking", async () => {
    const cores = availableParallelism();
    const result = await run(
      function* () {
        const executor = useExecutor({ maxWorkers: 2, minWorkers: 2 });
        // Warm both threads, then size one job to ~120 ms of this machine's time.
        yield* gather(runInExecutor(JOBS, "burn", 1e6), runInExecutor(JOBS, "burn", 1e6));
        let rounds = 4e6;
        let t: number;
        for (;;) {
          const t0 = performance.now();
          yield* runInExecutor(JOBS, "burn", rounds);
          t = performance.now() - t0;
          if (t >= 60 || rounds >= 1e9) break;
          rounds *= 4;
        }
        rounds = Math.round((rounds * 120) / t);
        // Alternate one job alone and two side by side, until two take less than 1.6× one
        // (or 8 rounds): other processes on the machine only ever make a run slower.
        let best = { ratio: Infinity, single: 0, pair: 0, ticks: 0, overlap: false };
        for (let round = 0; round < 8 && best.ratio >= 1.6; round++) {
          let t0 = performance.now();
          yield* runInExecutor(JOBS, "burn", rounds);
          const single = performance.now() - t0;
          let ticks = 0;
          const ticker = createTask(function* () {
            for (;;) {
              yield* sleep(10);
              ticks++;
            }
          });
          t0 = performance.now();
          const [a, b] = yield* gather(
            runInExecutor<number[]>(JOBS, "burnTimed", rounds),
            runInExecutor<number[]>(JOBS, "burnTimed", rounds),
          );
          const pair = performance.now() - t0;
          ticker.cancel();
          // Both jobs were running at the same time, on two threads.
          const overlap = a![1]! < b![2]! && b![1]! < a![2]!;
          if (pair / single < best.ratio)
            best = { ratio: pair / single, single, pair, ticks, overlap };
        }
        return { ...best, threads: executor.stats().threads };
      },
      { core },
    );
    expect(result.threads).toBe(2);
    expect(result.overlap).toBe(true);
    // The loop was never blocked: its 10 ms ticker kept ticking through the pair's run.
    expect(result.ticks).toBeGreaterThanOrEqual(Math.max(3, Math.floor(result.pair / 10 / 4)));
    const busy = loadavg()[0]!;
    const figures =
      `two jobs took ${result.pair.toFixed(0)} ms against ${result.single.toFixed(0)} ms ` +
      `for one (${result.ratio.toFixed(2)}×), load average ${busy.toFixed(1)}`;
    if (cores < 2) {
      console.warn(`SKIPPED the parallel speed-up assertion: ${cores} core; ${figures}`);
    } else if (result.ratio >= 1.6 && busy >= cores) {
      // Other processes hold the cores: two threads cannot get two of them.
      console.warn(`SKIPPED the parallel speed-up assertion: the machine is saturated; ${figures}`);
    } else {
      // Two jobs on two cores take about as long as one (generous: a loaded machine).
      expect(result.ratio, figures).toBeLessThan(1.6);
    }
  });

  it("starts queued jobs in the order they were submitted", async () => {
    const order = flags(1 + 8);
    await run(
      function* () {
        useExecutor({ maxWorkers: 1 });
        yield* gather(
          ...Array.from({ length: 8 }, (_, i) =>
            runInExecutor(JOBS, "recordStart", order.buffer, i),
          ),
        );
      },
      { core },
    );
    expect([...order.slice(1)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("cancelling a task whose job waits for a thread drops the job: it never runs", async () => {
    const busy = flags();
    const dropped = flags();
    const later = flags();
    const trace = await run(
      function* () {
        const executor = useExecutor({ maxWorkers: 1 });
        const trace: string[] = [];
        // The one thread is busy until its job is cancelled.
        const blocker = createTask(runInExecutor(JOBS, "spinUntilAborted", busy.buffer, 10_000));
        yield* until(busy, STARTED);
        const waiting = createTask(runInExecutor(JOBS, "countCall", dropped.buffer));
        yield* sleep(5);
        trace.push(`queued ${executor.stats().queued}, running ${executor.stats().running}`);
        waiting.cancel();
        yield* sleep(0);
        trace.push(`waiting task cancelled: ${waiting.cancelled()}`);
        trace.push(`queued ${executor.stats().queued}`);
        blocker.cancel();
        // FIFO: had the dropped job stayed queued, it would run before this one.
        trace.push(`next job: ${yield* runInExecutor<string>(JOBS, "countCall", later.buffer)}`);
        return trace;
      },
      { core },
    );
    expect(trace).toEqual([
      "queued 1, running 1",
      "waiting task cancelled: true",
      "queued 0",
      "next job: ran",
    ]);
    expect(Atomics.load(dropped, STARTED)).toBe(0);
    expect(Atomics.load(later, STARTED)).toBe(1);
    expect(Atomics.load(busy, SAW_ABORT)).toBe(1);
  });

  it("cancelling a task whose job runs aborts the job's signal, seen by CPU-bound code", async () => {
    const f = flags();
    const trace = await run(
      function* () {
        useExecutor({ maxWorkers: 1 });
        const trace: string[] = [];
        const task = createTask(runInExecutor(JOBS, "spinUntilAborted", f.buffer, 10_000));
        yield* until(f, STARTED);
        task.cancel();
        try {
          yield* task;
        } catch (e) {
          // At once, as asyncio: the task does not wait for the job to stop.
          const name = e instanceof CancelledError ? "CancelledError" : String(e);
          trace.push(`task: ${name}, job saw abort yet: ${Atomics.load(f, SAW_ABORT)}`);
        }
        // The job, spinning without ever returning to its event loop, reads signal.aborted.
        yield* until(f, SAW_ABORT);
        trace.push(
          `job saw abort: ${Atomics.load(f, SAW_ABORT)}, finished: ${Atomics.load(f, FINISHED)}`,
        );
        // Its thread is free again.
        trace.push(`next: ${yield* runInExecutor<number>(JOBS, "add", 1, 1)}`);
        return trace;
      },
      { core },
    );
    expect(trace[0]).toMatch(/^task: CancelledError, job saw abort yet: [01]$/);
    expect(trace.slice(1)).toEqual(["job saw abort: 1, finished: 0", "next: 2"]);
  });

  it("an async job hears its signal's 'abort' event, an AbortError", async () => {
    const f = flags();
    await run(
      function* () {
        useExecutor({ maxWorkers: 1 });
        const task = createTask(runInExecutor(JOBS, "awaitAbort", f.buffer, 10_000));
        yield* until(f, STARTED);
        task.cancel();
        yield* until(f, SAW_ABORT);
      },
      { core },
    );
    expect(Atomics.load(f, SAW_ABORT)).toBe(1); // 1: the reason was a DOMException AbortError
    expect(Atomics.load(f, FINISHED)).toBe(0);
  });

  it("a throwing job raises its error here: name, message, properties, cause, worker's stack", async () => {
    const e = await run(
      function* () {
        useExecutor({ maxWorkers: 1 });
        try {
          yield* runInExecutor(JOBS, "fail", "the job failed");
        } catch (e) {
          return e as Error & { code?: string };
        }
        throw new Error("no error");
      },
      { core },
    );
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("JobError");
    expect(e.message).toBe("the job failed");
    expect(e.code).toBe("E_JOB");
    expect(e.cause).toBeInstanceOf(RangeError);
    expect((e.cause as Error).message).toBe("the inner cause");
    // The worker's stack: the job's frame in the job module, not this test's frames.
    expect(e.stack).toMatch(
      /^JobError: the job failed\n\s+at fail \(.*fixtures\/jobs\.js:\d+:\d+\)/,
    );
    expect(e.stack).not.toContain("run-in-executor.test.ts");
  });

  it("an async job's rejection and a thrown non-Error come back as themselves", async () => {
    const got = await run(
      function* () {
        useExecutor({ maxWorkers: 1 });
        const out: unknown[] = [];
        for (const [name, arg] of [
          ["failLater", "later"],
          ["throwString", undefined],
        ] as const) {
          try {
            yield* runInExecutor(JOBS, name, arg);
          } catch (e) {
            out.push(e);
          }
        }
        return out;
      },
      { core },
    );
    expect(got[0]).toBeInstanceOf(TypeError);
    expect((got[0] as Error).message).toBe("later");
    expect(got[1]).toBe("a plain string");
  });

  it("a missing module raises ModuleNotFoundError naming it", async () => {
    const missing = new URL("./fixtures/no-such-module.js", JOBS);
    const e = await run(
      function* () {
        useExecutor({ maxWorkers: 1 });
        try {
          yield* runInExecutor(missing, "anything");
        } catch (e) {
          return e;
        }
      },
      { core },
    );
    expect(e).toBeInstanceOf(ModuleNotFoundError);
    expect(e).toBeInstanceOf(ExecutorError);
    expect((e as ModuleNotFoundError).module).toBe(missing.href);
    expect((e as Error).message).toContain("no-such-module.js");
    expect(((e as Error).cause as { code?: string }).code).toBe("ERR_MODULE_NOT_FOUND");
  });

  it("a missing export raises ExportNotFoundError listing the module's functions", async () => {
    const [missing, notFunction] = await run(
      function* () {
        useExecutor({ maxWorkers: 1 });
        const errors: unknown[] = [];
        for (const name of ["ad", "notAFunction"]) {
          try {
            yield* runInExecutor(JOBS, name, 1, 2);
          } catch (e) {
            errors.push(e);
          }
        }
        return errors;
      },
      { core },
    );
    expect(missing).toBeInstanceOf(ExportNotFoundError);
    const e = missing as ExportNotFoundError;
    expect(e.exportName).toBe("ad");
    expect(e.module).toBe(JOBS.href);
    expect(e.available).toContain("add");
    expect(e.message).toMatch(/has no export named "ad" \(its function exports: .*\badd\b/);
    expect(notFunction).toBeInstanceOf(ExportNotFoundError);
    expect((notFunction as Error).message).toContain("an export that is a number, not a function");
  });

  it("copies arguments and results; transfer() moves buffers, detaching the sender's", async () => {
    const got = await run(
      function* () {
        useExecutor({ maxWorkers: 1 });
        const copied = new Uint8Array([1, 2, 3]);
        const copiedLength = yield* runInExecutor<number>(JOBS, "byteLength", copied.buffer);
        const moved = new Uint8Array([1, 2, 3]);
        const job = runInExecutor<Uint8Array>(JOBS, "doubleBytes", transfer(moved));
        const back = yield* job; // the job doubles the bytes and moves them back
        return { copied, copiedLength, moved, back };
      },
      { core },
    );
    expect(got.copiedLength).toBe(3);
    expect(got.copied.byteLength).toBe(3); // still ours: it was copied
    expect(got.moved.byteLength).toBe(0); // detached: it moved to the worker
    expect(got.moved.buffer.byteLength).toBe(0);
    expect([...got.back]).toEqual([2, 4, 6]);
  });

  it("run() returns after every thread of the default executor has exited", async () => {
    const exits: number[] = [];
    const threads = await run(
      function* () {
        const executor = getDefaultExecutor(); // made on first use, one thread per core
        yield* gather(...Array.from({ length: 4 }, () => runInExecutor(JOBS, "spin", 20)));
        const threads = [...executor.threads];
        for (const w of threads) w.once("exit", () => exits.push(w.threadId));
        return threads;
      },
      { core },
    );
    expect(threads.length).toBeGreaterThan(0);
    expect(exits.length).toBe(threads.length);
    for (const w of threads) expect(w.threadId).toBe(-1); // -1: the thread has ended
  });

  it("signals a job still running when run() ends; its thread has exited when run() returns", async () => {
    const f = flags();
    let threads: readonly { threadId: number }[] = [];
    const t0 = performance.now();
    await run(
      function* () {
        const executor = useExecutor({ maxWorkers: 1 });
        createTask(runInExecutor(JOBS, "spinUntilAborted", f.buffer, 10_000));
        yield* until(f, STARTED);
        threads = [...executor.threads];
        // main returns: run() cancels the waiting task, the job is signalled and returns.
      },
      { core },
    );
    expect(performance.now() - t0).toBeLessThan(5_000); // not the job's 10 s
    expect(Atomics.load(f, SAW_ABORT)).toBe(1);
    expect(threads.map((w) => w.threadId)).toEqual([-1]);
  });

  it("terminates a job that ignores its signal once shutdownTimeout has passed", async () => {
    const t0 = performance.now();
    let threads: readonly { threadId: number }[] = [];
    await run(
      function* () {
        const executor = useExecutor({ maxWorkers: 1, shutdownTimeout: 100 });
        createTask(runInExecutor(JOBS, "spin", 20_000)); // never looks at its signal
        yield* sleep(50);
        threads = [...executor.threads];
      },
      { core },
    );
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(threads.map((w) => w.threadId)).toEqual([-1]);
  });

  it("works from async code: await runInExecutor(...) in an async function on the loop", async () => {
    const f = flags();
    const got = await run(
      async () => {
        useExecutor({ maxWorkers: 2 });
        const sum = await runInExecutor<number>(JOBS, "add", 20, 22);
        // Cancelling an async-function task cancels the job it awaits.
        const task = createTask(async () => {
          return await runInExecutor(JOBS, "spinUntilAborted", f.buffer, 10_000);
        });
        await untilAsync(f, STARTED);
        task.cancel();
        let outcome = "";
        try {
          await task;
        } catch (e) {
          outcome = (e as Error).name;
        }
        await untilAsync(f, SAW_ABORT);
        return { sum, outcome };
      },
      { core },
    );
    expect(got).toEqual({ sum: 42, outcome: "CancelledError" });
    expect(Atomics.load(f, SAW_ABORT)).toBe(1);
  });

  it("on the virtual clock, a job is an outside wait: no deadlock, and the loop holds the executor", async () => {
    const got = await run(
      function* () {
        const executor = useExecutor({ maxWorkers: 1, name: "pool" });
        const loop = getRunningLoop()!;
        const job = createTask(runInExecutor<number>(JOBS, "spin", 30));
        yield* sleep(0);
        const during = loop.stats().holds;
        // Nothing else can wake the loop: only the job, from outside.
        const result = yield* job;
        return { result, during, after: loop.stats().holds, threads: executor.stats().threads };
      },
      { core, clock: "virtual" },
    );
    expect(got.result).toBe(30);
    expect(got.during).toEqual(["pool: jobs in flight"]);
    expect(got.after).toEqual([]);
  });

  it("setDefaultExecutor installs an executor, which the loop shuts down when it closes", async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const got = await run(
      function* () {
        setDefaultExecutor(getRunningLoop()!, executor);
        const thread = yield* runInExecutor<number>(JOBS, "whoAmI");
        return {
          same: getDefaultExecutor() === executor,
          onIt: executor.threads.some((w) => w.threadId === thread),
        };
      },
      { core },
    );
    expect(got).toEqual({ same: true, onIt: true });
    expect(executor.isShutdown).toBe(true);
    expect(executor.stats().threads).toBe(0);
  });

  it("cancels a job waiting in a timeout scope when the deadline passes", async () => {
    const f = flags();
    const got = await run(
      function* () {
        useExecutor({ maxWorkers: 1 });
        yield* runInExecutor(JOBS, "add", 1, 1); // the thread is up: the next job starts at once
        try {
          yield* timeout(300, runInExecutor(JOBS, "spinUntilAborted", f.buffer, 10_000));
          return "finished";
        } catch (e) {
          return (e as Error).name;
        }
      },
      { core },
    );
    expect(got).toBe("TimeoutError");
    expect(Atomics.load(f, STARTED)).toBe(1);
    await untilAsync(f, SAW_ABORT);
  });
});
