// Semaphore and BoundedSemaphore: counting, FIFO hand-off of permits, bounds, bad input,
// and cancellation safety (no permit lost or leaked).

import { describe, expect, test } from "vitest";
import {
  BoundedSemaphore,
  Semaphore,
  TimeoutError,
  createTask,
  run,
  sleep,
  waitFor,
} from "../../src/index.js";
import { errName, turns } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  const opts = { core, clock: "virtual" } as const;

  test("lets `value` tasks in at once and queues the rest in FIFO order", async () => {
    const trace: string[] = [];
    await run(function* () {
      const sem = new Semaphore(2);
      const worker = (name: string, ms: number) =>
        function* () {
          yield* sem.with(function* () {
            trace.push(`${name} in`);
            yield* sleep(ms);
            trace.push(`${name} out`);
          });
        };
      const tasks = [
        createTask(worker("a", 10)),
        createTask(worker("b", 20)),
        createTask(worker("c", 15)),
        createTask(worker("d", 10)),
      ];
      yield* turns(1);
      expect(sem.statistics()).toEqual({ value: 0, tasksWaiting: 2 });
      for (const t of tasks) yield* t;
      expect(sem.statistics()).toEqual({ value: 2, tasksWaiting: 0 });
    }, opts);
    expect(trace).toEqual(["a in", "b in", "a out", "c in", "b out", "d in", "c out", "d out"]);
  });

  test("acquire returns true, locked() says whether acquire would wait", async () => {
    const trace: string[] = [];
    await run(function* () {
      const sem = new Semaphore();
      trace.push(`locked ${sem.locked()}`);
      trace.push(`acquire ${yield* sem.acquire()}`);
      trace.push(`locked ${sem.locked()}`);
      sem.release();
      sem.release(); // a plain Semaphore may go above its start value
      trace.push(`value ${sem.statistics().value}`);
      trace.push(`locked ${new Semaphore(0).locked()}`);
    }, opts);
    expect(trace).toEqual([
      "locked false",
      "acquire true",
      "locked true",
      "value 2",
      "locked true",
    ]);
  });

  test("release hands the permit to the oldest waiter, not to a newcomer", async () => {
    const trace: string[] = [];
    await run(function* () {
      const sem = new Semaphore(0);
      const waiter = createTask(function* () {
        yield* sem.acquire();
        trace.push("waiter has it");
      });
      yield* turns(1);
      sem.release();
      trace.push(`value after release ${sem.statistics().value}`);
      const newcomer = createTask(function* () {
        yield* sem.acquire();
        trace.push("newcomer has it");
      });
      yield* waiter;
      sem.release();
      yield* newcomer;
    }, opts);
    expect(trace).toEqual(["value after release 0", "waiter has it", "newcomer has it"]);
  });

  test("rejects a bad initial value", async () => {
    await run(function* () {
      expect(() => new Semaphore(-1)).toThrow(RangeError);
      expect(() => new Semaphore(1.5)).toThrow(/integer >= 0/);
      expect(() => new Semaphore(Number.NaN)).toThrow(TypeError);
      expect(() => new Semaphore("2" as never)).toThrow(TypeError);
      expect(() => new BoundedSemaphore(-3)).toThrow(RangeError);
      expect(new Semaphore(0).statistics().value).toBe(0);
      yield* turns(0);
    }, opts);
  });

  test("BoundedSemaphore refuses a release above its initial value", async () => {
    const trace: string[] = [];
    await run(function* () {
      const sem = new BoundedSemaphore(2);
      try {
        sem.release();
      } catch (e) {
        trace.push(`${errName(e)}: ${(e as Error).message}`);
      }
      yield* sem.acquire();
      sem.release();
      yield* sem.with(function* () {
        trace.push(`with, value ${sem.statistics().value}`);
      });
      trace.push(`value ${sem.statistics().value}`);
      expect(sem).toBeInstanceOf(Semaphore);
    }, opts);
    expect(trace).toEqual([
      "RangeError: spindle: BoundedSemaphore released too many times (it holds 2 permits)",
      "with, value 1",
      "value 2",
    ]);
  });

  test("BoundedSemaphore hands permits to waiters like a Semaphore", async () => {
    const trace: string[] = [];
    await run(function* () {
      const sem = new BoundedSemaphore(1);
      yield* sem.acquire();
      const a = createTask(
        sem.with(function* () {
          trace.push("a in");
        }),
      );
      yield* turns(1);
      sem.release();
      yield* a;
      trace.push(`value ${sem.statistics().value}`);
    }, opts);
    expect(trace).toEqual(["a in", "value 1"]);
  });

  test("a waiter cancelled while parked leaves the queue and loses no permit", async () => {
    const trace: string[] = [];
    await run(function* () {
      const sem = new Semaphore(0);
      const worker = (name: string) =>
        function* () {
          try {
            yield* sem.acquire();
            trace.push(`${name} has it`);
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
      expect(sem.statistics()).toEqual({ value: 0, tasksWaiting: 1 });
      sem.release();
      yield* b;
      sem.release(); // nobody waits now: the permit goes back to the pool
      expect(sem.statistics()).toEqual({ value: 1, tasksWaiting: 0 });
    }, opts);
    expect(trace).toEqual(["a CancelledError", "b has it"]);
  });

  test("a waiter cancelled after release() woke it gives the reserved permit to the next one", async () => {
    const trace: string[] = [];
    await run(function* () {
      const sem = new BoundedSemaphore(1);
      yield* sem.acquire();
      const a = createTask(function* () {
        try {
          yield* sem.with(function* () {
            trace.push("a not reached");
          });
        } catch (e) {
          trace.push(`a ${errName(e)}`);
          throw e;
        }
      });
      const b = createTask(function* () {
        yield* sem.with(function* () {
          trace.push("b has it");
        });
      });
      yield* turns(1);
      sem.release(); // wakes a, reserving the permit for it …
      a.cancel(); // … but a is cancelled before it runs: the cancel wins
      yield* b;
      expect(a.cancelled()).toBe(true);
      expect(sem.statistics()).toEqual({ value: 1, tasksWaiting: 0 });
    }, opts);
    expect(trace).toEqual(["a CancelledError", "b has it"]);
  });

  test("waitFor on acquire times out and leaves the count and the queue untouched", async () => {
    const trace: string[] = [];
    await run(function* () {
      const sem = new Semaphore(0);
      try {
        yield* waitFor(sem.acquire(), 10);
      } catch (e) {
        trace.push(`${errName(e)} ${e instanceof TimeoutError}`);
      }
      expect(sem.statistics()).toEqual({ value: 0, tasksWaiting: 0 });
      sem.release();
      trace.push(`acquire ${yield* waitFor(sem.acquire(), 10)}`);
      expect(sem.statistics()).toEqual({ value: 0, tasksWaiting: 0 });
    }, opts);
    expect(trace).toEqual(["TimeoutError true", "acquire true"]);
  });

  test("with() names the class in its bad-body error and returns the body's result", async () => {
    await run(function* () {
      const sem = new BoundedSemaphore(1);
      expect(() => sem.with(7 as never).next()).toThrow(/BoundedSemaphore\.with\(body\)/);
      const v = yield* new Semaphore(1).with(function* () {
        return "r";
      });
      expect(v).toBe("r");
    }, opts);
  });
});
