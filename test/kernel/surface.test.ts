// The kernel's public extension surface, what streams, HTTP, greenlet, gevent and the
// executor are built on: onDone, throwInto, directed hand-offs, outside holds, close hooks,
// descriptions of waits, stats and instruments. Virtual clock, both cores.

import { describe, expect, it } from "vitest";
import {
  Attempt,
  CancelledError,
  DeadlockError,
  Event,
  MAX_HANDOFF_CHAIN,
  NOT_YET,
  Queue,
  createTask,
  gather,
  getRunningLoop,
  newEventLoop,
  run,
  sleep,
  suspend,
  type Task,
  type Waker,
} from "../../src/index.js";
import { virtualLoop } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  const opts = { core, clock: "virtual" as const };

  describe("task.onDone", () => {
    it("calls listeners synchronously at the finish, in registration order with callbacks", async () => {
      const trace: string[] = [];
      await run(function* () {
        const t = createTask(sleep(5, "v"), { name: "t" });
        t.onDone((task) => void trace.push(`listener 1 sees ${task.result()}`));
        t.addDoneCallback(() => void trace.push("callback (soon)"));
        const off = t.onDone(() => void trace.push("removed"));
        t.onDone(() => void trace.push("listener 2"));
        off();
        off(); // idempotent
        yield* t;
        trace.push("awaiter resumed");
        expect(t.onDone(() => void trace.push("never: already done"))).toBeTypeOf("function");
      }, opts);
      expect(trace).toEqual([
        "listener 1 sees v",
        "listener 2",
        "callback (soon)",
        "awaiter resumed",
      ]);
    });

    it("rejects a non-function", async () => {
      await run(function* () {
        const t = createTask(sleep(1));
        expect(() => t.onDone(42 as never)).toThrow(TypeError);
        expect(() => t.addDoneCallback("x" as never)).toThrow(TypeError);
        yield* t;
      }, opts);
    });
  });

  describe("task.throwInto", () => {
    it("raises an error at the suspension point of a parked task, undoing its wait", async () => {
      const trace: string[] = [];
      await run(function* () {
        const q = new Queue<number>();
        const t = createTask(function* () {
          try {
            yield* q.get();
          } catch (e) {
            trace.push(`caught ${(e as Error).message}, cancelling ${t.cancelling()}`);
            return "recovered";
          }
        });
        yield;
        expect(q.statistics().tasksWaitingGet).toBe(1);
        expect(t.throwInto(new Error("kill"))).toBe(true);
        expect(q.statistics().tasksWaitingGet).toBe(0);
        trace.push(`result ${yield* t}`);
        expect(t.throwInto(new Error("late"))).toBe(false);
      }, opts);
      expect(trace).toEqual(["caught kill, cancelling 0", "result recovered"]);
    });

    it("reaches a ready or running task at its next suspension point", async () => {
      const trace: string[] = [];
      await run(function* () {
        const t = createTask(function* () {
          try {
            currentTaskThrow();
            trace.push("still running after throwInto(self)");
            yield;
          } catch (e) {
            trace.push(`at the yield: ${(e as Error).message}`);
          }
        });
        function currentTaskThrow(): void {
          t.throwInto(new Error("to myself"));
        }
        yield* t;
      }, opts);
      expect(trace).toEqual(["still running after throwInto(self)", "at the yield: to myself"]);
    });

    it("does not forward to an awaited task, as cancel() would", async () => {
      await run(function* () {
        const inner = createTask(sleep(100, "inner"));
        const outer = createTask(function* () {
          return yield* inner;
        });
        yield;
        outer.throwInto(new RangeError("stop waiting"));
        expect(yield* gather(outer, { returnExceptions: true })).toEqual([
          new RangeError("stop waiting"),
        ]);
        expect(inner.cancelling()).toBe(0);
        expect(yield* inner).toBe("inner");
      }, opts);
    });
  });

  describe("directed hand-off", () => {
    it("runs the task handed off to right after the step, ahead of the ready queue", async () => {
      const trace: string[] = [];
      await run(function* () {
        let waker: Waker<string> | null = null;
        const target = createTask(function* () {
          trace.push(
            `target got ${yield* suspend<string>((w) => void (waker = w), { external: false })}`,
          );
        });
        const bystander = createTask(function* () {
          yield;
          trace.push("bystander");
        });
        yield; // both start: target parks, bystander gives the turn
        expect(waker!.handOff("baton")).toBe(true);
        trace.push("handing task goes on until it yields");
        yield;
        trace.push("handing task again");
        yield* gather(target, bystander);
      }, opts);
      expect(trace).toEqual([
        "handing task goes on until it yields",
        "target got baton",
        "bystander",
        "handing task again",
      ]);
    });

    it(`lets others run after ${MAX_HANDOFF_CHAIN} hand-offs back to back`, async () => {
      let bystanderRanAfter = -1;
      let switches = 0;
      await run(function* () {
        // Two tasks handing a baton back and forth, forever unless stopped.
        const wakers: Array<Waker<void> | null> = [null, null];
        const player = (me: number) =>
          createTask(function* () {
            for (;;) {
              yield* suspend<void>((w) => void (wakers[me] = w), { external: false });
              switches++;
              wakers[1 - me]!.handOff();
            }
          });
        const a = player(0);
        const b = player(1);
        const bystander = createTask(function* () {
          yield;
          bystanderRanAfter = switches;
        });
        yield;
        wakers[0]!.handOff();
        yield* bystander;
        a.cancel();
        b.cancel();
        yield* gather(a, b, { returnExceptions: true });
      }, opts);
      expect(bystanderRanAfter).toBeGreaterThan(0);
      expect(bystanderRanAfter).toBeLessThanOrEqual(MAX_HANDOFF_CHAIN + 1);
    });
  });

  describe("outside holds and close hooks", () => {
    it("an active hold keeps deadlock detection quiet and lets the virtual clock jump", async () => {
      const { loop } = virtualLoop(core);
      const ev = new Event();
      const hold = loop.holdExternal("a test source");
      expect(loop.stats().holds).toEqual(["a test source"]);
      // Something outside the loop sets the event later (real time).
      setTimeout(() => {
        ev.set();
        hold.release();
      }, 20);
      await loop.runUntilComplete(function* () {
        yield* sleep(1000); // virtual: jumps while the outside source is quiet
        yield* ev.wait();
      });
      expect(hold.active).toBe(false);
      hold.release(); // idempotent
      expect(loop.stats().externalWaits).toBe(0);
      // With the hold gone, the same wait is a deadlock at once.
      await expect(loop.runUntilComplete(new Event().wait())).rejects.toThrow(DeadlockError);
      await loop.close();
    });

    it("runs close hooks newest first when the loop closes; run() waits for their promises", async () => {
      const trace: string[] = [];
      await run(function* () {
        const loop = getRunningLoop()!;
        loop.onClose(() => void trace.push("first registered"));
        loop.onClose(
          () =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                trace.push("async hook done");
                resolve();
              }, 10),
            ),
        );
        const off = loop.onClose(() => void trace.push("unregistered"));
        off();
        yield* sleep(1);
      }, opts);
      expect(trace).toEqual(["first registered", "async hook done"]);
    });

    it("reports a failing close hook to the exception handler, and still closes", async () => {
      const { loop, reports } = virtualLoop(core);
      loop.onClose(() => {
        throw new Error("hook broke");
      });
      loop.onClose(() => Promise.reject(new Error("async hook broke")));
      await loop.close();
      expect(loop.isClosed()).toBe(true);
      expect(reports.map((r) => (r.exception as Error).message).sort()).toEqual([
        "async hook broke",
        "hook broke",
      ]);
    });
  });

  describe("descriptions, stats and instruments", () => {
    it("says what each parked task waits on, in toString, stats and deadlock reports", async () => {
      let report = "";
      const loop = newEventLoop(opts);
      const q = new Queue<number>();
      const seen = await loop.runUntilComplete(function* () {
        const getter = createTask(q.get(), { name: "getter" });
        const sleeper = createTask(sleep(1234.5), { name: "sleeper" });
        const custom = createTask(
          suspend(() => {}, { external: false, describe: "the moon" }),
          {
            name: "custom",
          },
        );
        yield;
        const stats = getRunningLoop()!.stats();
        return {
          strings: [getter, sleeper, custom].map(String),
          stats: { ...stats, holds: undefined },
        };
      });
      expect(seen.strings).toEqual([
        "<Task getter waiting on Queue.get>",
        "<Task sleeper sleeping until 1234.5>",
        "<Task custom waiting on the moon>",
      ]);
      expect(seen.stats).toMatchObject({
        tasks: 4,
        ready: 1,
        parked: 3,
        sleeping: 1,
        waitingOn: { "Queue.get": 1, "the moon": 1 },
        timers: 1,
      });
      try {
        await loop.runUntilComplete(new Event().wait());
      } catch (e) {
        report = (e as DeadlockError).message;
      }
      expect(report).toContain("getter (Queue.get)");
      expect(report).toContain("custom (the moon)");
      await loop.close();
    });

    it("calls instruments as tasks are created, scheduled, stepped and finished", async () => {
      const trace: string[] = [];
      const { loop, reports } = virtualLoop(core);
      const off = loop.addInstrument({
        taskCreated: (t) => void trace.push(`created ${t.name}`),
        beforeTaskStep: (t) => void trace.push(`step ${t.name}`),
        taskExited: (t) => void trace.push(`exited ${t.name}`),
      });
      loop.addInstrument({
        afterTaskStep: () => {
          throw new Error("broken instrument");
        },
      });
      await loop.runUntilComplete(
        loop.createTask(
          function* () {
            yield;
          },
          { name: "w" },
        ),
      );
      off();
      await loop.runUntilComplete(loop.createTask(sleep(1), { name: "unseen" }));
      expect(trace).toEqual(["created w", "step w", "step w", "exited w"]);
      // The broken one was removed after its first failure, and reported once.
      expect(reports.map((r) => r.message)).toEqual([
        "Instrument afterTaskStep raised an exception; it was removed",
      ]);
      await loop.close();
    });
  });

  describe("Attempt", () => {
    it("finishes at once when it can, parks when it cannot, and re-parks from resume()", async () => {
      const box: { value: number | null; waiters: Waker<void>[] } = { value: null, waiters: [] };
      class Take extends Attempt<number> {
        protected attempt(): number | typeof NOT_YET {
          if (box.value === null) return NOT_YET;
          const v = box.value;
          box.value = null;
          return v;
        }
        park(waker: Waker<number>) {
          box.waiters.push(waker as unknown as Waker<void>);
        }
        protected override resume(): number | typeof NOT_YET {
          return this.attempt();
        }
        override describe(): string {
          return "Box.take";
        }
      }
      const trace: string[] = [];
      await run(function* () {
        box.value = 1;
        trace.push(`now ${yield* new Take()}`);
        const t: Task<number> = createTask(new Take());
        yield;
        expect(String(t)).toContain("waiting on Box.take");
        box.waiters.shift()!.resume(); // woken, but the box is empty: parks again
        yield;
        yield;
        expect(String(t)).toContain("waiting on Box.take");
        box.value = 7;
        box.waiters.shift()!.resume();
        trace.push(`later ${yield* t}`);
      }, opts);
      expect(trace).toEqual(["now 1", "later 7"]);
    });

    it("cancels a parked Attempt through its undo and tells the task", async () => {
      await run(function* () {
        const t = createTask(new Event().wait());
        yield;
        t.cancel();
        const [r] = yield* gather(t, { returnExceptions: true });
        expect(r).toBeInstanceOf(CancelledError);
      }, opts);
    });
  });
});
