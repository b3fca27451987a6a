// Combinators built on the kernel: gather, wait, asCompleted and shield.

import { describe, expect, it } from "vitest";
import {
  ALL_COMPLETED,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  TimeoutError,
  asCompleted,
  createTask,
  gather,
  newEventLoop,
  shield,
  sleep,
  wait,
  type EventLoop,
  type Instruction,
  type Task,
} from "../../src/index.js";
import { printer, referenceTrace } from "../reference/trace.js";
import { errText, virtualLoop } from "./helpers.js";

/** A coroutine that sleeps `ms`, notes when it finished, and returns `value`. */
function* after<T>(loop: EventLoop, trace: string[], ms: number, value: T) {
  yield* sleep(ms);
  trace.push(`${String(value)}@${loop.time()}`);
  return value;
}

/** A coroutine that sleeps `ms`, then throws Error(message). */
function* failAfter(
  ms: number,
  message: string,
): Generator<Instruction | undefined, never, unknown> {
  yield* sleep(ms);
  throw new Error(message);
}

const names = (set: Set<Task<unknown>>) => [...set].map((t) => t.name).sort();

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  describe("gather", () => {
    it("runs its operations concurrently and returns the results in argument order", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const v = await loop.runUntilComplete(function* () {
        return yield* gather(
          after(loop, trace, 30, "a"),
          after(loop, trace, 10, "b"),
          after(loop, trace, 20, "c"),
        );
      });
      expect(v).toEqual(["a", "b", "c"]);
      expect(trace).toEqual(["b@10", "c@20", "a@30"]);
      expect(loop.time()).toBe(30);
      loop.close();
    });

    it("interleaves coroutines that give the turn (the design brief's example)", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      function* worker(name: string, n: number) {
        for (let i = 0; i < n; i++) {
          trace.push(`${name}.x ${i}`);
          yield;
        }
        yield* sleep(10);
        return name.length;
      }
      const total = await loop.runUntilComplete(function* () {
        const [a, b] = yield* gather(worker("a", 3), worker("bb", 3));
        return a + b;
      });
      expect(total).toBe(3);
      expect(trace).toEqual(["a.x 0", "bb.x 0", "a.x 1", "bb.x 1", "a.x 2", "bb.x 2"]);
      loop.close();
    });

    it("returns [] for no operations", async () => {
      const { loop } = virtualLoop(core);
      expect(await loop.runUntilComplete(gather())).toEqual([]);
      loop.close();
    });

    it("throws the first failure and lets the other operations run on", async () => {
      const { loop, reports } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const slow = createTask(after(loop, trace, 20, "slow"));
        const failing = createTask(failAfter(10, "boom"));
        const late = createTask(failAfter(15, "second failure"));
        try {
          yield* gather(slow, failing, late);
        } catch (e) {
          trace.push(`gather threw ${errText(e)} @${loop.time()}`);
        }
        yield* sleep(20);
        trace.push(`slow cancelled=${slow.cancelled()} result=${slow.result()}`);
      });
      expect(trace).toEqual([
        "gather threw Error: boom @10",
        "slow@20",
        "slow cancelled=false result=slow",
      ]);
      loop.close();
      expect(reports).toEqual([]);
    });

    it("with returnExceptions, puts failures and cancellations in place of results", async () => {
      const { loop, reports } = virtualLoop(core);
      const v = await loop.runUntilComplete(function* () {
        const cancelled = createTask(sleep(100));
        const results = yield* gather(
          sleep(5, 1),
          failAfter(3, "bad"),
          cancelled,
          function* () {
            yield* sleep(1);
            cancelled.cancel("not needed");
            return "x";
          },
          { returnExceptions: true },
        );
        return results.map((r: unknown) => (r instanceof Error ? errText(r) : r));
      });
      expect(v).toEqual([1, "Error: bad", "CancelledError: not needed", "x"]);
      loop.close();
      expect(reports).toEqual([]);
    });

    it("throws CancelledError when a child is cancelled (without returnExceptions)", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const victim = createTask(sleep(100));
        loop.callLater(5, () => void victim.cancel("victim cancelled"));
        try {
          yield* gather(victim, sleep(10, "other"));
        } catch (e) {
          trace.push(`${e instanceof CancelledError} ${(e as Error).message} @${loop.time()}`);
        }
        // The gathering task itself was not cancelled: it runs on.
        yield* sleep(1);
        trace.push(`still running @${loop.time()}`);
      });
      expect(trace).toEqual(["true victim cancelled @5", "still running @6"]);
      loop.close();
    });

    it("cancels every child when the waiting task is cancelled, and fails with the first to finish", async () => {
      // test/reference/asyncio/gather_cancelled.py, on the virtual clock (ms).
      const { lines, print } = printer();
      const loop = newEventLoop({ core, clock: "virtual" });
      function* child(name: string, cleanup: number) {
        try {
          yield* sleep(10_000);
        } finally {
          print(`${name} cancelled @${loop.time()}`);
          yield* sleep(cleanup);
          print(`${name} cleaned up @${loop.time()}`);
        }
      }
      const gatherer = loop.createTask(function* () {
        try {
          yield* gather(child("a", 200), child("b", 100));
        } catch (e) {
          print(`gatherer got ${(e as Error).name} @${loop.time()}`);
          throw e;
        }
      });
      await loop.runUntilComplete(function* () {
        yield* sleep(500);
        gatherer.cancel();
        try {
          yield* gatherer;
        } catch {
          print(`gatherer cancelled=${gatherer.cancelled() ? "True" : "False"}`);
        }
        yield* sleep(300);
      });
      expect(lines).toEqual(referenceTrace("asyncio", "gather_cancelled"));
      await loop.close();
    });
  });

  describe("wait", () => {
    function* three(loop: EventLoop, trace: string[]) {
      return [
        createTask(after(loop, trace, 10, "t10"), { name: "t10" }),
        createTask(after(loop, trace, 20, "t20"), { name: "t20" }),
        createTask(after(loop, trace, 30, "t30"), { name: "t30" }),
      ];
    }

    it("FIRST_COMPLETED returns [done, pending] as soon as one task finishes, cancelling none", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const v = await loop.runUntilComplete(function* () {
        const tasks = yield* three(loop, trace);
        const [done, pending] = yield* wait(tasks, { returnWhen: FIRST_COMPLETED });
        const at = loop.time();
        yield* gather(...pending);
        return [names(done), names(pending), at, tasks.map((t) => t.cancelled())];
      });
      expect(v).toEqual([["t10"], ["t20", "t30"], 10, [false, false, false]]);
      expect(trace).toEqual(["t10@10", "t20@20", "t30@30"]);
      loop.close();
    });

    it("ALL_COMPLETED (the default) returns once every task finished", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const v = await loop.runUntilComplete(function* () {
        const tasks = yield* three(loop, trace);
        const [done, pending] = yield* wait(tasks);
        const [done2] = yield* wait(tasks, { returnWhen: ALL_COMPLETED });
        return [names(done), names(pending), names(done2), loop.time()];
      });
      expect(v).toEqual([["t10", "t20", "t30"], [], ["t10", "t20", "t30"], 30]);
      loop.close();
    });

    it("FIRST_EXCEPTION returns at the first failure, ignoring cancellations", async () => {
      const { loop, reports } = virtualLoop(core);
      const v = await loop.runUntilComplete(function* () {
        const ok = createTask(sleep(5), { name: "ok" });
        const cancelled = createTask(sleep(100), { name: "cancelled" });
        const bad = createTask(failAfter(20, "bad"), { name: "bad" });
        const slow = createTask(sleep(50), { name: "slow" });
        loop.callLater(8, () => void cancelled.cancel());
        const [done, pending] = yield* wait([ok, cancelled, bad, slow], {
          returnWhen: FIRST_EXCEPTION,
        });
        const at = loop.time();
        const [done2] = yield* wait([ok, slow], { returnWhen: FIRST_EXCEPTION });
        return [names(done), names(pending), at, names(done2), loop.time()];
      });
      expect(v).toEqual([["bad", "cancelled", "ok"], ["slow"], 20, ["ok", "slow"], 50]);
      loop.close();
      expect(reports).toEqual([]);
    });

    it("returns what is done when the timeout passes, without raising or cancelling", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const v = await loop.runUntilComplete(function* () {
        const tasks = yield* three(loop, trace);
        const [done, pending] = yield* wait(tasks, { timeout: 15 });
        const at = loop.time();
        const [done0, pending0] = yield* wait(tasks, { timeout: 0 });
        const at0 = loop.time();
        yield* gather(...pending);
        return [names(done), names(pending), at, names(done0), names(pending0), at0];
      });
      expect(v).toEqual([["t10"], ["t20", "t30"], 15, ["t10"], ["t20", "t30"], 15]);
      expect(trace).toEqual(["t10@10", "t20@20", "t30@30"]);
      loop.close();
    });

    it("rejects an empty set of tasks and an unknown returnWhen with a TypeError", async () => {
      const { loop } = virtualLoop(core);
      const errors = await loop.runUntilComplete(function* () {
        const out: string[] = [];
        for (const attempt of [
          () => wait([]),
          () => wait([sleep(1)], { returnWhen: "SOMETIMES" as never }),
          () => wait([sleep(1)], { timeout: "soon" as never }),
        ]) {
          try {
            yield* attempt();
            out.push("no error");
          } catch (e) {
            out.push(errText(e));
          }
        }
        return out;
      });
      expect(errors).toEqual([
        "TypeError: spindle: wait() needs at least one task",
        'TypeError: spindle: invalid returnWhen "SOMETIMES"',
        'TypeError: spindle: wait timeout must be a number of ms, got "soon"',
      ]);
      loop.close();
    });
  });

  describe("asCompleted", () => {
    it("returns results in the order the operations finish", async () => {
      const { loop } = virtualLoop(core);
      const got = await loop.runUntilComplete(function* () {
        const out: string[] = [];
        for (const next of asCompleted([sleep(30, "slow"), sleep(10, "fast"), sleep(20, "mid")]))
          out.push(`${yield* next}@${loop.time()}`);
        return out;
      });
      expect(got).toEqual(["fast@10", "mid@20", "slow@30"]);
      loop.close();
    });

    it("throws a failure in its place in the finishing order", async () => {
      const { loop, reports } = virtualLoop(core);
      const got = await loop.runUntilComplete(function* () {
        const out: string[] = [];
        for (const next of asCompleted([sleep(20, "b"), failAfter(10, "a failed")])) {
          try {
            out.push(yield* next);
          } catch (e) {
            out.push(errText(e));
          }
        }
        return out;
      });
      expect(got).toEqual(["Error: a failed", "b"]);
      loop.close();
      expect(reports).toEqual([]);
    });

    it("throws TimeoutError for the operations unfinished when the timeout passes", async () => {
      const { loop } = virtualLoop(core);
      const got = await loop.runUntilComplete(function* () {
        const out: string[] = [];
        const slow = createTask(sleep(50, "slow"));
        for (const next of asCompleted([sleep(5, "quick"), slow], { timeout: 20 })) {
          try {
            out.push(`${yield* next}@${loop.time()}`);
          } catch (e) {
            out.push(`${e instanceof TimeoutError ? "TimeoutError" : errText(e)}@${loop.time()}`);
          }
        }
        // Timing out does not cancel the operations.
        out.push(`slow cancelled=${slow.cancelled()} -> ${yield* slow}@${loop.time()}`);
        return out;
      });
      expect(got).toEqual(["quick@5", "TimeoutError@20", "slow cancelled=false -> slow@50"]);
      loop.close();
    });

    it("does not hand out an operation that finished only after the timeout", async () => {
      const { loop } = virtualLoop(core);
      const got = await loop.runUntilComplete(function* () {
        const out: string[] = [];
        const [first, second] = asCompleted([sleep(5, "a"), sleep(30, "b")], { timeout: 20 });
        out.push(`${yield* first!}@${loop.time()}`);
        yield* sleep(50); // past the timeout, and past b's end
        try {
          out.push(`${yield* second!}@${loop.time()}`);
        } catch (e) {
          out.push(`${e instanceof TimeoutError ? "TimeoutError" : errText(e)}@${loop.time()}`);
        }
        return out;
      });
      expect(got).toEqual(["a@5", "TimeoutError@55"]);
      loop.close();
    });
  });

  describe("shield", () => {
    it("raises CancelledError in the waiter at once while the shielded task runs on", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const save = createTask(function* () {
          yield* sleep(20);
          trace.push(`saved @${loop.time()}`);
          return "saved";
        });
        const waiter = createTask(function* () {
          try {
            return yield* shield(save);
          } catch (e) {
            trace.push(`waiter got ${(e as Error).name} @${loop.time()}`);
            throw e;
          }
        });
        yield* sleep(5);
        waiter.cancel();
        const v = yield* save;
        trace.push(`save result ${v}, save cancelled=${save.cancelled()}`);
        trace.push(`waiter cancelled=${waiter.cancelled()}`);
      });
      expect(trace).toEqual([
        "waiter got CancelledError @5",
        "saved @20",
        "save result saved, save cancelled=false",
        "waiter cancelled=true",
      ]);
      loop.close();
    });

    it("returns the shielded operation's result, or throws its error", async () => {
      const { loop, reports } = virtualLoop(core);
      const v = await loop.runUntilComplete(function* () {
        const a = yield* shield(sleep(5, "five"));
        let b = "no error";
        try {
          yield* shield(failAfter(1, "inner failed"));
        } catch (e) {
          b = errText(e);
        }
        return [a, b, loop.time()];
      });
      expect(v).toEqual(["five", "Error: inner failed", 6]);
      loop.close();
      expect(reports).toEqual([]);
    });
  });
});
