// ThreadPoolExecutor on its own: submit() off any loop, shutdown (graceful and cancelling),
// the queue bound, threads that die, values that cannot cross, and misuse.

import { afterEach, describe, expect, it } from "vitest";
import {
  CancelledError,
  ExecutorError,
  InvalidStateError,
  ThreadPoolExecutor,
  createTask,
  getRunningLoop,
  jobSignal,
  run,
  runInExecutor,
  setDefaultExecutor,
  sleep,
  toThread,
  transfer,
} from "../../src/index.js";
import { JOBS, SAW_ABORT, STARTED, flags, untilAsync } from "./helpers.js";

const executors: ThreadPoolExecutor[] = [];
/** An executor this file shuts down after each test (so no thread outlives it). */
function executor(options: ConstructorParameters<typeof ThreadPoolExecutor>[0] = {}) {
  const e = new ThreadPoolExecutor({ maxWorkers: 1, ...options });
  executors.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.shutdown({ cancelJobs: true })));
});

describe("ThreadPoolExecutor.submit", () => {
  it("runs a job from plain async code, no loop needed", async () => {
    const e = executor();
    expect(await e.submit(JOBS, "add", [40, 2])).toBe(42);
    expect(e.stats()).toMatchObject({ threads: 1, queued: 0, running: 0, completed: 1 });
  });

  it("an aborted signal drops a waiting job and rejects with the signal's reason", async () => {
    const e = executor();
    const busy = flags();
    const dropped = flags();
    const blocker = e.submit(JOBS, "spinUntilAborted", [busy.buffer, 10_000]);
    const blocked = blocker.catch((err: unknown) => err);
    await untilAsync(busy, STARTED);
    const controller = new AbortController();
    const waiting = e.submit(JOBS, "countCall", [dropped.buffer], { signal: controller.signal });
    expect(e.stats().queued).toBe(1);
    controller.abort(new Error("no longer needed"));
    await expect(waiting).rejects.toThrow("no longer needed");
    expect(e.stats().queued).toBe(0);
    await e.shutdown({ cancelJobs: true }); // stops the blocker through its signal
    expect(await blocked).toBeInstanceOf(ExecutorError);
    expect(Atomics.load(dropped, STARTED)).toBe(0);
    expect(Atomics.load(busy, SAW_ABORT)).toBe(1);
  });

  it("a signal already aborted rejects without running anything", async () => {
    const e = executor();
    const f = flags();
    await expect(
      e.submit(JOBS, "countCall", [f.buffer], { signal: AbortSignal.abort("early") }),
    ).rejects.toBe("early");
    expect(e.stats().threads).toBe(0); // not even a thread was started
  });
});

describe("ThreadPoolExecutor.shutdown", () => {
  it("lets submitted jobs finish, refuses new ones, and ends every thread", async () => {
    const e = executor({ maxWorkers: 2 });
    const jobs = [1, 2, 3, 4].map((i) => e.submit(JOBS, "add", [i, i]));
    const threads = e.threads;
    const done = e.shutdown();
    expect(e.isShutdown).toBe(true);
    await expect(e.submit(JOBS, "add", [1, 1])).rejects.toThrow(/was shut down/);
    await done;
    expect(await Promise.all(jobs)).toEqual([2, 4, 6, 8]);
    expect(threads.length).toBeGreaterThan(0);
    for (const w of threads) expect(w.threadId).toBe(-1);
    expect(e.stats().threads).toBe(0);
    expect(e.shutdown()).toBe(done); // idempotent
  });

  it("with cancelJobs, fails waiting and running jobs with ExecutorError and stops them", async () => {
    const e = executor();
    const f = flags();
    const outcomes = Promise.allSettled([
      e.submit(JOBS, "spinUntilAborted", [f.buffer, 10_000]),
      e.submit(JOBS, "add", [1, 1]),
    ]);
    await untilAsync(f, STARTED);
    await e.shutdown({ cancelJobs: true });
    const [running, waiting] = await outcomes;
    expect(running.status === "rejected" && running.reason).toBeInstanceOf(ExecutorError);
    expect((running as PromiseRejectedResult).reason.message).toMatch(
      /was shut down before the job finished/,
    );
    expect(waiting.status === "rejected" && waiting.reason).toBeInstanceOf(ExecutorError);
    expect(Atomics.load(f, SAW_ABORT)).toBe(1);
  });

  it("runInExecutor on a shut-down executor raises ExecutorError in the task", async () => {
    const e = executor();
    await e.shutdown();
    const error = await run(function* () {
      setDefaultExecutor(getRunningLoop()!, e);
      try {
        yield* runInExecutor(JOBS, "add", 1, 1);
      } catch (err) {
        return err;
      }
    });
    expect(error).toBeInstanceOf(ExecutorError);
    expect((error as Error).message).toMatch(/was shut down: it cannot run add\(\) any more/);
  });
});

describe("ThreadPoolExecutor limits and failures", () => {
  it("maxQueue bounds the jobs waiting for a thread", async () => {
    const e = executor({ maxQueue: 1 });
    const f = flags();
    const earlier = Promise.allSettled([
      e.submit(JOBS, "spinUntilAborted", [f.buffer, 10_000]), // on the thread
      e.submit(JOBS, "add", [1, 1]), // waits: the queue is now full
    ]);
    await expect(e.submit(JOBS, "add", [2, 2])).rejects.toThrow(/queue is full \(1 jobs waiting\)/);
    await e.shutdown({ cancelJobs: true });
    expect((await earlier).map((o) => o.status)).toEqual(["rejected", "rejected"]);
  });

  it("a job that ends its thread (process.exit) raises ExecutorError; a new thread serves the next", async () => {
    const e = executor();
    const error = await e.submit(JOBS, "exitThread").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ExecutorError);
    expect((error as Error).message).toMatch(
      /exited before the job returned \(worker exited with code: 3/,
    );
    expect(await e.submit(JOBS, "add", [1, 2])).toBe(3);
  });

  it("an argument that cannot be cloned raises DataCloneError; nothing runs", async () => {
    const e = executor();
    const error = await e.submit(JOBS, "add", [() => 1, 2]).catch((err: unknown) => err);
    expect((error as Error).name).toBe("DataCloneError");
    expect(await e.submit(JOBS, "add", [1, 2])).toBe(3);
  });

  it("a result that cannot be cloned raises an error saying so", async () => {
    const e = executor();
    const top = await e.submit(JOBS, "returnsFunction").catch((err: unknown) => err);
    expect(top).toBeInstanceOf(TypeError);
    expect((top as Error).message).toMatch(/returned a function, which cannot be sent back/);
    const deep = await e.submit(JOBS, "returnsDeepFunction").catch((err: unknown) => err);
    expect(deep).toBeInstanceOf(ExecutorError);
    expect((deep as Error).message).toMatch(/its result could not be sent back/);
    expect(await e.submit(JOBS, "add", [1, 2])).toBe(3); // the replaced thread serves on
  });
});

describe("misuse", () => {
  it("rejects bad options with RangeError or TypeError", () => {
    expect(() => new ThreadPoolExecutor({ maxWorkers: 0 })).toThrow(RangeError);
    expect(() => new ThreadPoolExecutor({ maxWorkers: 1.5 })).toThrow(
      /maxWorkers must be an integer >= 1/,
    );
    expect(() => new ThreadPoolExecutor({ minWorkers: 3, maxWorkers: 2 })).toThrow(
      /minWorkers \(3\) exceeds maxWorkers \(2\)/,
    );
    expect(() => new ThreadPoolExecutor({ idleTimeout: -1 })).toThrow(RangeError);
    expect(() => new ThreadPoolExecutor({ shutdownTimeout: NaN })).toThrow(RangeError);
    expect(() => new ThreadPoolExecutor(null as never)).toThrow(TypeError);
  });

  it("refuses a relative module path or a missing export name where the call is written", () => {
    expect(() => runInExecutor("./jobs.js", "add")).toThrow(
      /is relative, and a worker thread has no base to resolve it from: pass new URL\("\.\/jobs\.js", import\.meta\.url\)/,
    );
    expect(() => runInExecutor(JOBS, "")).toThrow(TypeError);
    expect(() => runInExecutor(42 as never, "add")).toThrow(TypeError);
    expect(() => transfer({ a: 1 })).toThrow(/without a list needs an ArrayBuffer/);
  });

  it("accepts an absolute path and a node: module", async () => {
    const got = await run(function* () {
      setDefaultExecutor(getRunningLoop()!, executor());
      const sum = yield* runInExecutor<number>(JOBS.pathname, "add", 1, 2);
      const hex = yield* toThread<string>("node:crypto", "randomUUID");
      return { sum, hex };
    });
    expect(got.sum).toBe(3);
    expect(got.hex).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a job runs once: waiting for it twice is an InvalidStateError", async () => {
    const error = await run(function* () {
      setDefaultExecutor(getRunningLoop()!, executor());
      const job = runInExecutor(JOBS, "add", 1, 1);
      yield* job;
      try {
        yield* job;
      } catch (e) {
        return e;
      }
    });
    expect(error).toBeInstanceOf(InvalidStateError);
    expect((error as Error).message).toMatch(/was already started \(by yield\*\); a job runs once/);
  });

  it("awaiting runInExecutor outside a loop is an ExecutorError pointing to submit()", async () => {
    await expect(runInExecutor(JOBS, "add", 1, 1)).rejects.toThrow(
      /needs a running event loop.*executor\.submit\(\) outside one/,
    );
  });

  it("submit() takes the arguments as an array", async () => {
    await expect(executor().submit(JOBS, "add", 1 as never)).rejects.toThrow(
      /takes the arguments as an array, got 1 \(a number\)/,
    );
  });

  it("jobSignal() outside a job throws", () => {
    expect(() => jobSignal()).toThrow(/is for code running as a job of a spindle executor/);
  });

  it("a task cancelled before its job is submitted never submits it", async () => {
    const e = executor();
    const f = flags();
    await run(function* () {
      setDefaultExecutor(getRunningLoop()!, e);
      const task = createTask(runInExecutor(JOBS, "countCall", f.buffer));
      task.cancel(); // before its first step
      try {
        yield* task;
      } catch (err) {
        expect(err).toBeInstanceOf(CancelledError);
      }
      yield* sleep(20);
    });
    expect(Atomics.load(f, STARTED)).toBe(0);
    expect(e.stats().completed).toBe(0);
  });
});
