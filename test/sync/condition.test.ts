// Condition: wait/notify under the lock, FIFO wake-ups, waitFor, and re-acquiring the lock
// when a wait is cancelled.

import { describe, expect, test } from "vitest";
import {
  CancelledError,
  Condition,
  Lock,
  TimeoutError,
  createTask,
  run,
  waitFor,
  type Task,
} from "../../src/index.js";
import { errName, turns } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  const opts = { core, clock: "virtual" } as const;

  /** A task that waits once on `cond` and traces how it ends. */
  function waiter(cond: Condition, name: string, trace: string[]): Task<void> {
    return createTask(
      cond.with(function* () {
        trace.push(`${name} waits`);
        try {
          yield* cond.wait();
          trace.push(`${name} woke, locked ${cond.locked()}`);
        } catch (e) {
          trace.push(`${name} ${errName(e)}, locked ${cond.locked()}`);
          throw e;
        }
      }),
      { name },
    );
  }

  test("notify wakes one waiter at a time, oldest first", async () => {
    const trace: string[] = [];
    await run(function* () {
      const cond = new Condition();
      const tasks = ["a", "b", "c"].map((n) => waiter(cond, n, trace));
      yield* turns(1);
      expect(cond.statistics()).toEqual({
        tasksWaiting: 3,
        lockStatistics: { locked: false, tasksWaiting: 0 },
      });
      for (let i = 0; i < 3; i++) {
        yield* cond.with(function* () {
          trace.push("notify");
          cond.notify();
        });
        yield* turns(2);
      }
      for (const t of tasks) yield* t;
    }, opts);
    expect(trace).toEqual([
      "a waits",
      "b waits",
      "c waits",
      "notify",
      "a woke, locked true",
      "notify",
      "b woke, locked true",
      "notify",
      "c woke, locked true",
    ]);
  });

  test("notify(n) wakes n waiters and notifyAll wakes the rest; they take the lock in turn", async () => {
    const trace: string[] = [];
    await run(function* () {
      const cond = new Condition();
      const tasks = ["a", "b", "c", "d"].map((n) => waiter(cond, n, trace));
      yield* turns(1);
      yield* cond.with(function* () {
        cond.notify(0); // wakes nobody
        cond.notify(2);
        trace.push("notified 2");
        yield* turns(3); // the woken wait for the lock we hold
        trace.push(`waiting ${cond.statistics().tasksWaiting}`);
      });
      yield* turns(3);
      yield* cond.with(function* () {
        cond.notifyAll();
        cond.notify(5); // more than are waiting: fine
      });
      for (const t of tasks) yield* t;
      expect(cond.statistics().tasksWaiting).toBe(0);
    }, opts);
    expect(trace).toEqual([
      "a waits",
      "b waits",
      "c waits",
      "d waits",
      "notified 2",
      "waiting 2",
      "a woke, locked true",
      "b woke, locked true",
      "c woke, locked true",
      "d woke, locked true",
    ]);
  });

  test("waitFor re-checks the predicate after every wake-up and returns its value", async () => {
    const trace: string[] = [];
    await run(function* () {
      const cond = new Condition();
      const items: number[] = [];
      const consumer = createTask(
        cond.with(function* () {
          const n = yield* cond.waitFor(() => {
            trace.push(`check ${items.length}`);
            return items.length >= 2 ? items.length : 0;
          });
          trace.push(`got ${n}`);
        }),
      );
      for (const x of [1, 2]) {
        yield* turns(1);
        yield* cond.with(function* () {
          items.push(x);
          cond.notifyAll();
        });
      }
      yield* consumer;
      // a predicate that already holds does not wait
      const now = yield* cond.with(cond.waitFor(() => "now"));
      trace.push(now);
    }, opts);
    expect(trace).toEqual(["check 0", "check 1", "check 2", "got 2", "now"]);
  });

  test("wait, notify and notifyAll without the lock throw", async () => {
    await run(function* () {
      const cond = new Condition();
      let error: unknown = null;
      try {
        yield* cond.wait();
      } catch (e) {
        error = e;
      }
      expect((error as Error).message).toMatch(/Condition\.wait\(\) needs the lock held/);
      expect(() => cond.notify()).toThrow(/Condition\.notify\(\) needs the lock held/);
      expect(() => cond.notifyAll()).toThrow(/Condition\.notifyAll\(\) needs the lock held/);
      expect(() => cond.release()).toThrow(/not locked/);
      yield* cond.with(function* () {
        expect(() => cond.notify(-1)).toThrow(RangeError);
        expect(() => cond.notify("2" as never)).toThrow(TypeError);
        expect(() => cond.waitFor(1 as never).next()).toThrow(TypeError);
      });
      expect(() => new Condition({} as never)).toThrow(TypeError);
    }, opts);
  });

  test("conditions can share one lock, and acquire/release/locked act on it", async () => {
    const trace: string[] = [];
    await run(function* () {
      const lock = new Lock();
      const notEmpty = new Condition(lock);
      const notFull = new Condition(lock);
      trace.push(`acquire ${yield* notEmpty.acquire()}`);
      trace.push(`locks ${lock.locked()} ${notFull.locked()}`);
      notFull.notify(); // holding the shared lock is enough
      notFull.release();
      trace.push(`locks ${lock.locked()} ${notEmpty.locked()}`);
    }, opts);
    expect(trace).toEqual(["acquire true", "locks true true", "locks false false"]);
  });

  test("a wait cancelled while parked re-acquires the lock before it throws", async () => {
    const trace: string[] = [];
    await run(function* () {
      const cond = new Condition();
      const a = waiter(cond, "a", trace);
      yield* turns(1);
      yield* cond.acquire();
      a.cancel();
      yield* turns(3);
      trace.push(
        `main holds the lock; a waits for it: ${cond.statistics().lockStatistics.tasksWaiting}`,
      );
      cond.release();
      try {
        yield* a;
      } catch (e) {
        trace.push(`a ended ${errName(e)}`);
      }
      trace.push(`locked ${cond.locked()}`);
    }, opts);
    expect(trace).toEqual([
      "a waits",
      "main holds the lock; a waits for it: 1",
      "a CancelledError, locked true",
      "a ended CancelledError",
      "locked false",
    ]);
  });

  test("a cancel after a notify passes the notification on to the next waiter", async () => {
    const trace: string[] = [];
    await run(function* () {
      const cond = new Condition();
      const a = waiter(cond, "a", trace);
      const b = waiter(cond, "b", trace);
      yield* turns(1);
      yield* cond.acquire();
      cond.notify(); // wakes a …
      a.cancel(); // … which is cancelled before it runs: the cancel lands in its re-acquire
      yield* turns(3);
      cond.release();
      try {
        yield* a;
      } catch (e) {
        trace.push(`a ended ${errName(e)}`);
      }
      yield* b; // would deadlock if a had swallowed the notify
    }, opts);
    expect(trace).toEqual([
      "a waits",
      "b waits",
      "a CancelledError, locked true",
      "b woke, locked true",
      "a ended CancelledError",
    ]);
  });

  test("a waiter cancelled while parked does not use up a notify", async () => {
    const trace: string[] = [];
    await run(function* () {
      const cond = new Condition();
      const a = waiter(cond, "a", trace);
      const b = waiter(cond, "b", trace);
      const c = waiter(cond, "c", trace);
      yield* turns(1);
      a.cancel();
      yield* turns(2);
      yield* cond.with(function* () {
        cond.notify();
      });
      yield* b;
      yield* turns(3);
      trace.push(`still waiting ${cond.statistics().tasksWaiting}`);
      c.cancel();
      yield* turns(3);
      expect(a.cancelled() && c.cancelled()).toBe(true);
      expect(cond.statistics().tasksWaiting).toBe(0);
    }, opts);
    expect(trace).toEqual([
      "a waits",
      "b waits",
      "c waits",
      "a CancelledError, locked true",
      "b woke, locked true",
      "still waiting 1",
      "c CancelledError, locked true",
    ]);
  });

  test("waitFor(cond.wait(), ms) times out holding the lock again", async () => {
    const trace: string[] = [];
    await run(function* () {
      const cond = new Condition();
      yield* cond.with(function* () {
        try {
          yield* waitFor(cond.wait(), 10);
        } catch (e) {
          trace.push(`${errName(e)} ${e instanceof TimeoutError}, locked ${cond.locked()}`);
        }
      });
      trace.push(`locked ${cond.locked()}, waiting ${cond.statistics().tasksWaiting}`);
    }, opts);
    expect(trace).toEqual(["TimeoutError true, locked true", "locked false, waiting 0"]);
  });

  test("a second cancel while re-acquiring still ends holding the lock", async () => {
    const trace: string[] = [];
    await run(function* () {
      const cond = new Condition();
      const a = waiter(cond, "a", trace);
      yield* turns(1);
      yield* cond.acquire();
      a.cancel("first");
      yield* turns(2);
      a.cancel("second"); // a is parked in the re-acquire now
      yield* turns(2);
      cond.release();
      try {
        yield* a;
      } catch (e) {
        trace.push(`a ended ${errName(e)}: ${(e as CancelledError).message}`);
      }
      trace.push(`locked ${cond.locked()}`);
    }, opts);
    expect(trace).toEqual([
      "a waits",
      "a CancelledError, locked true",
      "a ended CancelledError: second",
      "locked false",
    ]);
  });
});
