// Interop with Promises and async functions, both ways: fromPromise, async functions and
// Promises as tasks (in createTask, gather, run, runUntilComplete), currentTask() inside
// async tasks, and cancellation through AbortSignals (in: `signal` option; out: task.signal).

import { describe, expect, it } from "vitest";
import {
  CancelledError,
  createTask,
  currentTask,
  fromPromise,
  gather,
  getRunningLoop,
  run,
  sleep,
  suspend,
  waitFor,
  type Task,
} from "../../src/index.js";
import { errText, runBounded, virtualLoop } from "./helpers.js";

/** A Promise that settles on a later turn of Node's event loop (not a microtask). */
function later<T>(value: T, fail = false): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    setImmediate(() => (fail ? reject(value) : resolve(value))),
  );
}

const nameOf = (t: Task | null) => (t === null ? "none" : t.name);

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  describe("fromPromise", () => {
    it("returns a Promise's value, or throws its rejection into the coroutine", async () => {
      const { loop } = virtualLoop(core);
      const v = await loop.runUntilComplete(function* () {
        const a = yield* fromPromise(Promise.resolve("already"));
        const b = yield* fromPromise(later("later"));
        let c = "no error";
        try {
          yield* fromPromise(later(new Error("rejected"), true));
        } catch (e) {
          c = errText(e);
        }
        return [a, b, c];
      });
      expect(v).toEqual(["already", "later", "Error: rejected"]);
      loop.close();
    });

    it("rejects a value that is not a Promise with a TypeError", async () => {
      const { loop } = virtualLoop(core);
      const v = await loop.runUntilComplete(function* () {
        try {
          yield* fromPromise(42 as never);
          return "no error";
        } catch (e) {
          return errText(e);
        }
      });
      expect(v).toBe("TypeError: spindle: fromPromise needs a Promise, got 42 (a number)");
      loop.close();
    });

    it("stops waiting when cancelled, ignores the Promise's late outcome, and stops counting it", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      let resolve: (v: string) => void = () => {};
      const never = new Promise<string>((r) => (resolve = r));
      const err = await loop.runUntilComplete(function* () {
        const t = createTask(function* () {
          try {
            trace.push(`got ${yield* fromPromise(never)}`);
          } catch (e) {
            trace.push(`waiter ${(e as Error).name}`);
            throw e;
          }
        });
        yield;
        t.cancel();
        try {
          yield* t;
        } catch {
          trace.push(`cancelled=${t.cancelled()}`);
        }
        resolve("too late");
        yield* fromPromise(Promise.resolve()); // the late resolution lands meanwhile
        // The cancelled wait no longer counts as outside work: a wait nobody can end is
        // a deadlock again, reported at once.
        try {
          yield* suspend(() => {}, { external: false });
        } catch (e) {
          return (e as Error).name;
        }
        return "no deadlock";
      });
      expect(err).toBe("DeadlockError");
      expect(trace).toEqual(["waiter CancelledError", "cancelled=true"]);
      loop.close();
    });
  });

  describe("async functions and Promises as tasks", () => {
    it("runs an async function as a task and returns its value to yield*", async () => {
      const { loop, reports } = virtualLoop(core);
      const v = await loop.runUntilComplete(function* () {
        const ok = createTask(async () => {
          const x = await later(20);
          return x + 1;
        });
        const bad = createTask(async () => {
          await later(0);
          throw new Error("async failure");
        });
        let e = "no error";
        try {
          yield* bad;
        } catch (err) {
          e = errText(err);
        }
        return [yield* ok, e];
      });
      expect(v).toEqual([21, "Error: async failure"]);
      loop.close();
      expect(reports).toEqual([]);
    });

    it("knows the current task and loop inside an async function, across awaits", async () => {
      const { loop } = virtualLoop(core);
      const seen: string[] = [];
      await loop.runUntilComplete(function* () {
        const t = createTask(
          async () => {
            seen.push(`before await: ${nameOf(currentTask())}`);
            await later(null);
            seen.push(`after await: ${nameOf(currentTask())}`);
            seen.push(`loop: ${getRunningLoop() === loop}`);
            // createTask works here too, and a Task is awaitable.
            const child = createTask(
              function* () {
                yield;
                return nameOf(currentTask());
              },
              { name: "child" },
            );
            seen.push(`child says: ${await child}`);
            seen.push(`after child: ${nameOf(currentTask())}`);
          },
          { name: "async-task" },
        );
        yield* t;
      });
      expect(seen).toEqual([
        "before await: async-task",
        "after await: async-task",
        "loop: true",
        "child says: child",
        "after child: async-task",
      ]);
      loop.close();
    });

    it("gathers generators, tasks, async functions and Promises together", async () => {
      const { loop } = virtualLoop(core);
      const v = await loop.runUntilComplete(function* () {
        const t = createTask(sleep(5, "task"));
        return yield* gather(
          sleep(10, "generator"),
          t,
          async () => "async fn",
          later("promise"),
          Promise.resolve("resolved"),
        );
      });
      expect(v).toEqual(["generator", "task", "async fn", "promise", "resolved"]);
      expect(loop.time()).toBe(10);
      loop.close();
    });

    it("runs an async main with run(), and rejects with its error", async () => {
      const opts = { core, clock: "virtual" } as const;
      expect(await run(async () => `ran on ${nameOf(currentTask()) !== "none"}`, opts)).toBe(
        "ran on true",
      );
      await expect(
        run(async () => {
          await later(0);
          throw new TypeError("async main failed");
        }, opts),
      ).rejects.toThrow("async main failed");
      expect(await run(later("a promise as main"), opts)).toBe("a promise as main");
    });

    it("runs a Promise to completion with runUntilComplete", async () => {
      const { loop } = virtualLoop(core);
      expect(await loop.runUntilComplete(later("from a promise"))).toBe("from a promise");
      loop.close();
    });

    it("reports currentTask() as none inside a callback scheduled from an async task", async () => {
      const { loop } = virtualLoop(core);
      const seen: string[] = [];
      await loop.runUntilComplete(
        loop.createTask(
          async () => {
            await later(null);
            loop.callSoon(() => void seen.push(`callback: ${nameOf(currentTask())}`));
            await createTask(function* () {
              yield;
              yield;
            });
            seen.push(`async task: ${nameOf(currentTask())}`);
          },
          { name: "async-main" },
        ),
      );
      expect(seen).toEqual(["callback: none", "async task: async-main"]);
      loop.close();
    });

    // An async task awaiting a sleeping task is outside work that can only end after the
    // virtual clock jumps: the loop must not wait for it forever (runBounded turns a loop
    // spinning without progress into a failure).
    it("lets an async task await a task that sleeps on the virtual clock", async () => {
      const { loop } = virtualLoop(core);
      const v = await runBounded(loop, async () => {
        const slept = await createTask(sleep(1000, "slept"));
        return [slept, loop.time()];
      });
      expect(v).toEqual(["slept", 1000]);
      loop.close();
    });

    // Likewise a deadline must fire on the virtual clock while a Promise is pending.
    it("times out a Promise that never settles on the virtual clock", async () => {
      const { loop } = virtualLoop(core);
      const v = await runBounded(loop, function* () {
        try {
          yield* waitFor(fromPromise(new Promise(() => {})), 100);
          return "settled?";
        } catch (e) {
          return `${(e as Error).name} @${loop.time()}`;
        }
      });
      expect(v).toBe("TimeoutError @100");
      loop.close();
    });
  });

  describe("AbortSignal", () => {
    it("cancels a task when the signal passed to createTask aborts, with the reason", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const controller = new AbortController();
      const withError = new AbortController();
      await loop.runUntilComplete(function* () {
        const a = createTask(
          function* () {
            try {
              yield* sleep(100);
            } catch (e) {
              trace.push(`a: ${errText(e)} @${loop.time()}`);
              throw e;
            }
          },
          { signal: controller.signal },
        );
        const b = createTask(sleep(100), { signal: withError.signal });
        loop.callLater(10, () => controller.abort("user pressed stop"));
        loop.callLater(20, () => withError.abort(new Error("request aborted")));
        yield* gather(a, b, { returnExceptions: true });
        trace.push(`a cancelled=${a.cancelled()}, b cancelled=${b.cancelled()}`);
        trace.push(`b: ${errText(cancelErr(b))} @${loop.time()}`);
      });
      expect(trace).toEqual([
        "a: CancelledError: user pressed stop @10",
        "a cancelled=true, b cancelled=true",
        "b: CancelledError: request aborted @20",
      ]);
      loop.close();
    });

    it("never runs the body of a task whose signal was already aborted", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const t = loop.createTask(
        function* () {
          trace.push("body ran");
          yield;
        },
        { signal: AbortSignal.abort("too late") },
      );
      await expect(loop.runUntilComplete(t)).rejects.toThrow(CancelledError);
      expect(trace).toEqual([]);
      expect(t.cancelled()).toBe(true);
      expect(cancelErr(t).message).toBe("too late");
      loop.close();
    });

    it("ignores the signal once the task has finished", async () => {
      const { loop } = virtualLoop(core);
      const controller = new AbortController();
      const t = loop.createTask(sleep(5, "done"), { signal: controller.signal });
      await loop.runUntilComplete(t);
      controller.abort();
      expect([t.cancelled(), t.result()]).toEqual([false, "done"]);
      loop.close();
    });

    it("aborts task.signal with a CancelledError when the task is cancelled", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const t = createTask(sleep(100));
        const signal = t.signal;
        signal.addEventListener("abort", () => {
          const reason: unknown = signal.reason;
          trace.push(`aborted: ${errText(reason)} @${loop.time()}`);
        });
        const finished = createTask(sleep(1));
        yield* finished;
        trace.push(`finished task's signal aborted=${finished.signal.aborted}`);
        yield* sleep(9);
        t.cancel("no longer needed");
        trace.push(`after cancel: aborted=${signal.aborted}`);
        // A signal asked for after the cancel is aborted already.
        trace.push(`late signal aborted=${t.signal.aborted}`);
      });
      expect(trace).toEqual([
        "finished task's signal aborted=false",
        "aborted: CancelledError: no longer needed @10",
        "after cancel: aborted=true",
        "late signal aborted=true",
      ]);
      loop.close();
    });

    it("chains cancellation from a task to a child created with its signal", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const parent = createTask(function* () {
          const me = currentTask()!;
          const child = createTask(
            function* () {
              try {
                yield* sleep(100);
              } finally {
                trace.push(`child stopped @${loop.time()}`);
              }
            },
            { signal: me.signal },
          );
          yield* shieldless(child);
        });
        yield* sleep(7);
        parent.cancel();
        yield* sleep(1);
      });
      expect(trace).toEqual(["child stopped @7"]);
      loop.close();
    });
  });
});

/** The CancelledError a cancelled task holds. */
function cancelErr(t: Task): CancelledError {
  try {
    t.result();
  } catch (e) {
    if (e instanceof CancelledError) return e;
  }
  throw new Error(`${t.name} was not cancelled`);
}

/** Waits for a task without forwarding cancellation to it (only the signal links them). */
function* shieldless(t: Task) {
  yield* suspend<void>((w) => void t.addDoneCallback(() => void w.resume()), { external: false });
}
