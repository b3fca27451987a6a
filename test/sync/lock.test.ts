// Lock: FIFO hand-off, release errors, the `with` scope, and cancellation safety.

import { describe, expect, test } from "vitest";
import {
  CancelledError,
  Lock,
  TimeoutError,
  createTask,
  run,
  sleep,
  waitFor,
} from "../../src/index.js";
import { errName, turns } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  const opts = { core, clock: "virtual" } as const;

  test("acquires a free lock without waiting and reports locked()", async () => {
    const trace: string[] = [];
    await run(function* () {
      const lock = new Lock();
      trace.push(`locked ${lock.locked()}`);
      trace.push(`acquire ${yield* lock.acquire()}`);
      trace.push(`locked ${lock.locked()}`);
      lock.release();
      trace.push(`locked ${lock.locked()}`);
    }, opts);
    expect(trace).toEqual(["locked false", "acquire true", "locked true", "locked false"]);
  });

  test("hands the lock to waiters in FIFO order", async () => {
    const trace: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const worker = (name: string) =>
        function* () {
          trace.push(`${name} wants`);
          yield* lock.acquire();
          trace.push(`${name} has`);
          yield* sleep(5);
          trace.push(`${name} releases`);
          lock.release();
        };
      const tasks = ["a", "b", "c"].map((n) => createTask(worker(n)));
      yield* turns(1);
      expect(lock.statistics()).toEqual({ locked: true, tasksWaiting: 3 });
      trace.push("main releases");
      lock.release();
      for (const t of tasks) yield* t;
      expect(lock.statistics()).toEqual({ locked: false, tasksWaiting: 0 });
    }, opts);
    expect(trace).toEqual([
      "a wants",
      "b wants",
      "c wants",
      "main releases",
      "a has",
      "a releases",
      "b has",
      "b releases",
      "c has",
      "c releases",
    ]);
  });

  test("a newcomer cannot barge in between a release and the waiter it woke", async () => {
    const trace: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const waiter = createTask(function* () {
        yield* lock.acquire();
        trace.push("waiter has");
        lock.release();
      });
      yield* turns(1);
      lock.release(); // wakes the waiter, which takes the lock when it runs
      trace.push(
        `locked after release ${lock.locked()}, waiting ${lock.statistics().tasksWaiting}`,
      );
      const barger = createTask(function* () {
        yield* lock.acquire();
        trace.push("barger has");
        lock.release();
      });
      yield* waiter;
      yield* barger;
    }, opts);
    // asyncio: the lock is free, but the woken waiter is still in line; a newcomer queues.
    expect(trace).toEqual(["locked after release false, waiting 1", "waiter has", "barger has"]);
  });

  test("release of an unlocked lock throws a clear error", async () => {
    await run(function* () {
      const lock = new Lock();
      expect(() => lock.release()).toThrow(/not locked/);
      yield* lock.acquire();
      lock.release();
      expect(() => lock.release()).toThrow(Error);
    }, opts);
  });

  test("with() runs the body holding the lock, returns its result, and releases", async () => {
    const trace: string[] = [];
    const result = await run(function* () {
      const lock = new Lock();
      const fromFn = yield* lock.with(function* () {
        trace.push(`in body, locked ${lock.locked()}`);
        yield* sleep(1);
        return 42;
      });
      trace.push(`after, locked ${lock.locked()}`);
      // a generator object and a plain operation are bodies too
      const fromGen = yield* lock.with(sleep(1, "gen"));
      return [fromFn, fromGen];
    }, opts);
    expect(result).toEqual([42, "gen"]);
    expect(trace).toEqual(["in body, locked true", "after, locked false"]);
  });

  test("with() releases when the body throws", async () => {
    const trace: string[] = [];
    await run(function* () {
      const lock = new Lock();
      try {
        yield* lock.with(function* () {
          yield* sleep(1);
          throw new Error("boom");
        });
      } catch (e) {
        trace.push(`caught ${(e as Error).message}, locked ${lock.locked()}`);
      }
    }, opts);
    expect(trace).toEqual(["caught boom, locked false"]);
  });

  test("with() rejects a body that is not an operation, before acquiring", async () => {
    await run(function* () {
      const lock = new Lock();
      let error: unknown;
      try {
        yield* lock.with(42 as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/Lock\.with\(body\) needs a generator function/);
      expect(lock.locked()).toBe(false);
      // a function returning a non-operation fails after the acquire, and still releases
      try {
        yield* lock.with((() => 1) as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect(lock.locked()).toBe(false);
    }, opts);
  });

  test("a waiter cancelled while parked leaves the queue and the lock goes to the next", async () => {
    const trace: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const worker = (name: string) =>
        function* () {
          try {
            yield* lock.with(function* () {
              trace.push(`${name} has`);
            });
          } catch (e) {
            trace.push(`${name} ${errName(e)}`);
            throw e;
          }
        };
      const a = createTask(worker("a"));
      const b = createTask(worker("b"));
      yield* turns(1);
      a.cancel();
      yield* turns(1);
      expect(lock.statistics().tasksWaiting).toBe(1);
      lock.release();
      yield* b;
      expect(a.cancelled()).toBe(true);
      expect(lock.statistics()).toEqual({ locked: false, tasksWaiting: 0 });
    }, opts);
    expect(trace).toEqual(["a CancelledError", "b has"]);
  });

  test("a waiter cancelled after release() woke it never holds the lock; the next waiter does", async () => {
    const trace: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const a = createTask(function* () {
        try {
          yield* lock.with(function* () {
            trace.push("a not reached");
          });
        } catch (e) {
          trace.push(`a ${errName(e)}, locked ${lock.locked()}`);
          throw e;
        }
      });
      const b = createTask(function* () {
        yield* lock.acquire();
        trace.push("b has");
        lock.release();
      });
      yield* turns(1);
      lock.release(); // wakes a …
      a.cancel(); // … which is cancelled before it runs: the cancel wins
      yield* b;
      expect(a.cancelled()).toBe(true);
      expect(lock.locked()).toBe(false);
      expect(lock.statistics().tasksWaiting).toBe(0);
    }, opts);
    expect(trace).toEqual(["a CancelledError, locked false", "b has"]);
  });

  test("waitFor on acquire times out and leaves no waiter behind", async () => {
    const trace: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      try {
        yield* waitFor(lock.acquire(), 10);
      } catch (e) {
        trace.push(`${errName(e)} ${e instanceof TimeoutError}`);
      }
      expect(lock.statistics()).toEqual({ locked: true, tasksWaiting: 0 });
      lock.release();
      trace.push(`acquire ${yield* waitFor(lock.acquire(), 10)}`);
    }, opts);
    expect(trace).toEqual(["TimeoutError true", "acquire true"]);
  });

  test("cancelling a task that waits via with() never runs the body", async () => {
    const trace: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const t = createTask(
        lock.with(function* () {
          trace.push("body");
        }),
      );
      yield* turns(1);
      t.cancel();
      try {
        yield* t;
      } catch (e) {
        trace.push(errName(e));
      }
      expect(t.cancelled()).toBe(true);
      lock.release();
      expect(lock.locked()).toBe(false);
    }, opts);
    expect(trace).toEqual([CancelledError.name]);
  });
});
