// Deadlines: waitFor (asyncio.wait_for) and timeout/timeoutAt scopes (asyncio.timeout). A
// deadline cancels at the suspension point and the scope turns that into TimeoutError; a
// cancel from elsewhere stays CancelledError; a body that swallows the cancel is not
// corrupted (no cancel leaks out of the scope).

import { describe, expect, it } from "vitest";
import {
  CancelledError,
  ExceptionGroup,
  TimeoutError,
  createTask,
  currentTask,
  sleep,
  taskGroup,
  timeout,
  timeoutAt,
  waitFor,
  type EventLoop,
  type Instruction,
} from "../../src/index.js";
import { errText, virtualLoop } from "./helpers.js";

/** Sleeps `ms`; on cancellation notes it and cleans up for `cleanup` ms, then rethrows. */
function* slowOp(loop: EventLoop, trace: string[], ms: number, cleanup: number) {
  try {
    yield* sleep(ms);
    return "op result";
  } catch (e) {
    trace.push(`op ${(e as Error).name} @${loop.time()}`);
    yield* sleep(cleanup);
    trace.push(`op cleaned up @${loop.time()}`);
    throw e;
  }
}

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  describe("waitFor", () => {
    it("returns the result when the operation finishes in time, and leaves no timer behind", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const v = yield* waitFor(slowOp(loop, trace, 10, 0), 20);
        trace.push(`${v} @${loop.time()}`);
        yield* sleep(50); // past the old deadline: nothing cancels this
        trace.push(`slept past the deadline @${loop.time()}`);
      });
      expect(trace).toEqual(["op result @10", "slept past the deadline @60"]);
      loop.close();
    });

    it("cancels a late operation, waits for its cleanup, then throws TimeoutError", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        try {
          yield* waitFor(slowOp(loop, trace, 100, 5), 10);
        } catch (e) {
          trace.push(`${errText(e)} @${loop.time()}`);
          trace.push(`cause is CancelledError: ${(e as Error).cause instanceof CancelledError}`);
        }
        trace.push(`cancelling=${currentTask()!.cancelling()}`);
      });
      expect(trace).toEqual([
        "op CancelledError @10",
        "op cleaned up @15",
        "TimeoutError: spindle: timed out @15",
        "cause is CancelledError: true",
        "cancelling=0",
      ]);
      loop.close();
    });

    it("cancels a late task and throws TimeoutError once the task has finished", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const t = createTask(slowOp(loop, trace, 100, 2));
        try {
          yield* waitFor(t, 10);
        } catch (e) {
          trace.push(`${(e as Error).name} @${loop.time()}; task cancelled=${t.cancelled()}`);
        }
      });
      expect(trace).toEqual([
        "op CancelledError @10",
        "op cleaned up @12",
        "TimeoutError @12; task cancelled=true",
      ]);
      loop.close();
    });

    it("returns the operation's value when it swallows the timeout's cancellation", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const v = yield* waitFor(
          (function* () {
            try {
              yield* sleep(100);
            } catch {
              trace.push(`swallowed @${loop.time()}`);
            }
            yield* sleep(1);
            return "late but kept";
          })(),
          10,
        );
        trace.push(`${v} @${loop.time()}, cancelling=${currentTask()!.cancelling()}`);
        yield* sleep(5);
        trace.push(`slept @${loop.time()}`);
      });
      expect(trace).toEqual(["swallowed @10", "late but kept @11, cancelling=0", "slept @16"]);
      loop.close();
    });

    it("waits without limit for a null timeout", async () => {
      const { loop } = virtualLoop(core);
      const v = await loop.runUntilComplete(function* () {
        return [yield* waitFor(sleep(86_400_000, "a day later"), null), loop.time()];
      });
      expect(v).toEqual(["a day later", 86_400_000]);
      loop.close();
    });

    it("with a zero timeout, returns a finished task's result and times out a pending one", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const finished = createTask(sleep(1, "finished"));
        yield* finished;
        trace.push(`${yield* waitFor(finished, 0)}`);
        const pending = createTask(slowOp(loop, trace, 100, 3));
        yield; // let it start
        try {
          yield* waitFor(pending, 0);
        } catch (e) {
          trace.push(`${(e as Error).name} @${loop.time()}; cancelled=${pending.cancelled()}`);
        }
      });
      expect(trace).toEqual([
        "finished",
        "op CancelledError @1",
        "op cleaned up @4",
        "TimeoutError @4; cancelled=true",
      ]);
      loop.close();
    });

    it("with a zero timeout, never starts a generator (as asyncio never runs it)", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      function* op() {
        trace.push("started");
        yield* sleep(1);
        return "value";
      }
      await loop.runUntilComplete(function* () {
        try {
          yield* waitFor(op(), 0);
        } catch (e) {
          trace.push(`${(e as Error).name} @${loop.time()}`);
        }
      });
      expect(trace).toEqual(["TimeoutError @0"]);
      loop.close();
    });

    it("with a zero timeout, treats a pending task as a late one (keeps its value or error)", async () => {
      const { loop, reports } = virtualLoop(core);
      const trace: string[] = [];
      const kinds = {
        // Swallows the cancel and returns: as with any other timeout, its value is kept.
        *stubborn() {
          try {
            yield* sleep(100);
          } catch {
            trace.push(`stubborn swallowed @${loop.time()}`);
          }
          return "kept";
        },
        // Fails while being cancelled: that error is not hidden behind a TimeoutError.
        *failing(): Generator<Instruction | undefined, string, unknown> {
          try {
            yield* sleep(100);
          } finally {
            // eslint-disable-next-line no-unsafe-finally
            throw new Error("cleanup failed");
          }
        },
      };
      await loop.runUntilComplete(function* () {
        for (const name of ["stubborn", "failing"] as const) {
          for (const ms of [1, 0]) {
            const t = createTask(kinds[name]());
            yield; // t starts and sleeps
            try {
              trace.push(`${name} ${ms}ms -> ${yield* waitFor(t, ms)}`);
            } catch (e) {
              trace.push(`${name} ${ms}ms -> ${errText(e)}`);
            }
          }
        }
      });
      expect(trace).toEqual([
        "stubborn swallowed @1",
        "stubborn 1ms -> kept",
        "stubborn swallowed @1",
        "stubborn 0ms -> kept",
        "failing 1ms -> Error: cleanup failed",
        "failing 0ms -> Error: cleanup failed",
      ]);
      loop.close();
      expect(reports).toEqual([]);
    });

    it("stays a CancelledError when the waiting task is cancelled from elsewhere", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const waiter = loop.createTask(function* () {
        try {
          yield* waitFor(slowOp(loop, trace, 100, 1), 50);
        } catch (e) {
          trace.push(`waiter got ${(e as Error).name} @${loop.time()}`);
          throw e;
        }
      });
      await loop.runUntilComplete(function* () {
        yield* sleep(10);
        waiter.cancel();
        yield* sleep(100);
      });
      expect(trace).toEqual([
        "op CancelledError @10",
        "op cleaned up @11",
        "waiter got CancelledError @11",
      ]);
      expect(waiter.cancelled()).toBe(true);
      loop.close();
    });

    it("times out an operation due at the deadline without disturbing the next sleep", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        try {
          yield* waitFor(sleep(10), 10);
          trace.push("in time");
        } catch (e) {
          trace.push(`${(e as Error).name} @${loop.time()}`);
        }
        yield* sleep(5);
        trace.push(`slept @${loop.time()}`);
      });
      expect(trace).toEqual(["TimeoutError @10", "slept @15"]);
      loop.close();
    });
  });

  describe("timeout scopes", () => {
    it("throws TimeoutError when the deadline passes; the body sees CancelledError", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        try {
          yield* timeout(25, function* () {
            trace.push("body starts");
            yield* slowOp(loop, trace, 1000, 0);
            trace.push("body finished");
          });
        } catch (e) {
          trace.push(`${e instanceof TimeoutError ? "TimeoutError" : errText(e)} @${loop.time()}`);
        }
      });
      expect(trace).toEqual([
        "body starts",
        "op CancelledError @25",
        "op cleaned up @25",
        "TimeoutError @25",
      ]);
      loop.close();
    });

    it("returns the body's value in time, and its timer never fires afterwards", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const v = yield* timeout(25, function* () {
          yield* sleep(5);
          return "in time";
        });
        trace.push(`${v} @${loop.time()}`);
        yield* sleep(100);
        trace.push(`slept @${loop.time()}`);
      });
      expect(trace).toEqual(["in time @5", "slept @105"]);
      loop.close();
    });

    it("has no deadline for null, and an absolute one with timeoutAt", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        trace.push(`${yield* timeout(null, sleep(500, "no limit"))} @${loop.time()}`);
        try {
          yield* timeoutAt(520, sleep(100));
        } catch (e) {
          trace.push(`${(e as Error).name} @${loop.time()}`);
        }
        trace.push(`${yield* timeoutAt(null, sleep(1, "null again"))} @${loop.time()}`);
      });
      expect(trace).toEqual(["no limit @500", "TimeoutError @520", "null again @521"]);
      loop.close();
    });

    it("throws TimeoutError from the scope that expired, when scopes are nested", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        // Inner deadline first: the inner scope raises; the outer scope runs on.
        const v = yield* timeout(50, function* () {
          try {
            yield* timeout(10, sleep(100));
          } catch (e) {
            trace.push(`inner scope: ${(e as Error).name} @${loop.time()}`);
          }
          yield* sleep(5);
          return "outer body done";
        });
        trace.push(`${v} @${loop.time()}`);
        // Outer deadline first: the inner scope lets the CancelledError through.
        try {
          yield* timeout(10, function* () {
            try {
              yield* timeout(50, sleep(100));
            } catch (e) {
              trace.push(`inner body sees ${(e as Error).name} @${loop.time()}`);
              throw e;
            }
          });
        } catch (e) {
          trace.push(`outer scope: ${(e as Error).name} @${loop.time()}`);
        }
      });
      expect(trace).toEqual([
        "inner scope: TimeoutError @10",
        "outer body done @15",
        "inner body sees CancelledError @25",
        "outer scope: TimeoutError @25",
      ]);
      loop.close();
    });

    it("stays a CancelledError when cancelled from elsewhere before the deadline", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const t = loop.createTask(function* () {
        try {
          yield* timeout(100, sleep(1000));
        } catch (e) {
          trace.push(`${(e as Error).name} @${loop.time()}`);
          throw e;
        }
      });
      await loop.runUntilComplete(function* () {
        yield* sleep(30);
        t.cancel();
        yield* sleep(200);
      });
      expect(trace).toEqual(["CancelledError @30"]);
      expect(t.cancelled()).toBe(true);
      loop.close();
    });

    it("is not corrupted by a body that swallows the cancellation: the scope and task carry on", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const v = yield* timeout(10, function* () {
          try {
            yield* sleep(100);
          } catch (e) {
            trace.push(`body swallowed ${(e as Error).name} @${loop.time()}`);
          }
          yield* sleep(5);
          return "body result";
        });
        trace.push(`${v} @${loop.time()}, cancelling=${currentTask()!.cancelling()}`);
        yield* sleep(20);
        trace.push(`slept @${loop.time()}`);
        // A second scope in the same task still times out normally.
        try {
          yield* timeout(10, sleep(100));
        } catch (e) {
          trace.push(`second scope: ${(e as Error).name} @${loop.time()}`);
        }
      });
      expect(trace).toEqual([
        "body swallowed CancelledError @10",
        "body result @15, cancelling=0",
        "slept @35",
        "second scope: TimeoutError @45",
      ]);
      loop.close();
    });

    it("times out a task group: its children are cancelled and waited for", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        try {
          yield* timeout(10, function* () {
            yield* taskGroup(function* (tg) {
              tg.createTask(slowOp(loop, trace, 100, 4));
              tg.createTask(slowOp(loop, trace, 100, 2));
            });
          });
        } catch (e) {
          trace.push(
            `${e instanceof ExceptionGroup ? "ExceptionGroup" : (e as Error).name} @${loop.time()}`,
          );
        }
      });
      expect(trace).toEqual([
        "op CancelledError @10",
        "op CancelledError @10",
        "op cleaned up @12",
        "op cleaned up @14",
        "TimeoutError @14",
      ]);
      loop.close();
    });

    it("rejects a deadline that is not a number or null with a TypeError", async () => {
      const { loop } = virtualLoop(core);
      const errors = await loop.runUntilComplete(function* () {
        const out: string[] = [];
        for (const attempt of [
          () => timeout("5" as never, sleep(1)),
          () => timeoutAt(Number.NaN, sleep(1)),
          () => waitFor(sleep(1), "5" as never),
        ]) {
          try {
            yield* attempt();
            out.push("no error");
          } catch (e) {
            out.push(`${(e as Error).name}: ${(e as Error).message.split(",")[0]}`);
          }
        }
        return out;
      });
      expect(errors).toEqual([
        "TypeError: spindle: timeout needs a number of ms or null",
        "TypeError: spindle: timeoutAt needs a loop time or null",
        "TypeError: spindle: waitFor needs a number of ms or null",
      ]);
      loop.close();
    });
  });
});
