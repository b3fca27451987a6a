// Cancellation: CancelledError thrown at the suspension point, try/catch/finally (with
// yield* inside finally), cancel before the first step, cancel of a ready task, self-cancel,
// forwarding to an awaited task, cancelling()/uncancel(), and run()'s cleanup.

import { describe, expect, it } from "vitest";
import {
  CancelledError,
  createTask,
  currentTask,
  run,
  sleep,
  suspend,
  type Task,
  type Waker,
} from "../../src/index.js";
import { errText, virtualLoop } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  it("cancels a sleeping task and runs its catch and finally", async () => {
    const { loop, reports } = virtualLoop(core);
    const trace: string[] = [];
    const t = loop.createTask(
      function* () {
        try {
          trace.push("sleeping");
          yield* sleep(100);
          trace.push("woke up");
        } catch (e) {
          trace.push(`catch ${errText(e)} @${loop.time()}`);
          throw e;
        } finally {
          trace.push(`finally @${loop.time()}`);
        }
      },
      { name: "sleeper" },
    );
    await loop.runUntilComplete(function* () {
      yield* sleep(10);
      expect(t.cancel("stop it")).toBe(true);
      try {
        yield* t;
      } catch (e) {
        trace.push(`waiter sees ${errText(e)} @${loop.time()}`);
      }
    });
    expect(trace).toEqual([
      "sleeping",
      "catch CancelledError: stop it @10",
      "finally @10",
      "waiter sees CancelledError: stop it @10",
    ]);
    expect(t.cancelled()).toBe(true);
    expect(t.done()).toBe(true);
    expect(() => t.result()).toThrow(CancelledError);
    expect(() => t.exception()).toThrow("stop it");
    expect(t.cancel()).toBe(false);
    loop.close();
    expect(reports).toEqual([]);
  });

  it("runs yield* inside finally to completion after a cancellation", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(function* () {
        try {
          yield* sleep(100);
        } finally {
          trace.push(`cleanup starts @${loop.time()}`);
          yield* sleep(5);
          yield;
          trace.push(`cleanup done @${loop.time()}`);
        }
      });
      yield* sleep(10);
      t.cancel();
      try {
        yield* t;
      } catch (e) {
        trace.push(`waiter sees ${(e as Error).name} @${loop.time()}`);
      }
    });
    expect(trace).toEqual([
      "cleanup starts @10",
      "cleanup done @15",
      "waiter sees CancelledError @15",
    ]);
    loop.close();
  });

  it("never runs the body of a task cancelled before its first step", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const gen = createTask(function* () {
        trace.push("generator body ran");
        yield;
      });
      const asyncFn = createTask(async () => {
        trace.push("async body ran");
      });
      expect(gen.cancel()).toBe(true);
      expect(asyncFn.cancel()).toBe(true);
      yield;
      yield;
      trace.push(`gen cancelled=${gen.cancelled()}, async cancelled=${asyncFn.cancelled()}`);
    });
    expect(trace).toEqual(["gen cancelled=true, async cancelled=true"]);
    loop.close();
  });

  it("delivers a cancel requested while the task is ready at the yield it is parked on", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const spinner = createTask(function* () {
        try {
          for (let i = 0; ; i++) {
            trace.push(`spin ${i}`);
            yield;
          }
        } catch (e) {
          trace.push(`spinner got ${errText(e)}`);
          throw e;
        }
      });
      yield;
      // spinner has run once and is ready again: the cancel lands at its bare yield.
      spinner.cancel("enough spinning");
      trace.push("main cancelled spinner");
      try {
        yield* spinner;
      } catch {
        trace.push(`spinner cancelled=${spinner.cancelled()}`);
      }
    });
    expect(trace).toEqual([
      "spin 0",
      "main cancelled spinner",
      "spinner got CancelledError: enough spinning",
      "spinner cancelled=true",
    ]);
    loop.close();
  });

  it("throws a task's cancel of itself at its next suspension point", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const t = loop.createTask(function* () {
      currentTask()!.cancel("self");
      trace.push("still running after cancel()");
      try {
        yield* sleep(50);
        trace.push("slept");
      } catch (e) {
        trace.push(`${errText(e)} @${loop.time()}`);
      }
      return "swallowed";
    });
    expect(await loop.runUntilComplete(t)).toBe("swallowed");
    expect(trace).toEqual(["still running after cancel()", "CancelledError: self @0"]);
    expect(t.cancelled()).toBe(false);
    loop.close();
  });

  it("lets a task that swallows CancelledError run on and finish normally", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(function* () {
        try {
          yield* sleep(100);
        } catch (e) {
          trace.push(`swallowed ${(e as Error).name} @${loop.time()}`);
        }
        yield* sleep(5);
        trace.push(`slept on @${loop.time()}`);
        return "finished anyway";
      });
      yield* sleep(10);
      t.cancel();
      const v = yield* t;
      trace.push(`result ${v}, cancelled=${t.cancelled()}, cancelling=${t.cancelling()}`);
    });
    expect(trace).toEqual([
      "swallowed CancelledError @10",
      "slept on @15",
      "result finished anyway, cancelled=false, cancelling=1",
    ]);
    loop.close();
  });

  it("cancels the awaited task first when a task waiting on it is cancelled", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    let inner: Task<string> | null = null;
    const outer = loop.createTask(function* () {
      inner = createTask(function* () {
        try {
          yield* sleep(100);
          return "inner done";
        } finally {
          trace.push(`inner finally @${loop.time()}`);
          yield* sleep(3);
          trace.push(`inner cleaned up @${loop.time()}`);
        }
      });
      try {
        return yield* inner;
      } catch (e) {
        trace.push(`outer got ${(e as Error).name} @${loop.time()}`);
        throw e;
      }
    });
    await loop.runUntilComplete(function* () {
      yield* sleep(10);
      outer.cancel();
      try {
        yield* outer;
      } catch {
        trace.push("main saw outer cancelled");
      }
    });
    expect(trace).toEqual([
      "inner finally @10",
      "inner cleaned up @13",
      "outer got CancelledError @13",
      "main saw outer cancelled",
    ]);
    expect(outer.cancelled()).toBe(true);
    expect(inner!.cancelled()).toBe(true);
    loop.close();
  });

  it("hands the waiter the awaited task's result when that task swallows the cancellation", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const outer = loop.createTask(function* () {
      const inner = createTask(function* () {
        try {
          yield* sleep(100);
        } catch {
          trace.push(`inner swallows @${loop.time()}`);
        }
        yield* sleep(2);
        return "inner result";
      });
      const v = yield* inner;
      trace.push(`outer got ${v} @${loop.time()}`);
      yield* sleep(5); // no cancel is left pending: this sleep runs its full length
      trace.push(`outer slept @${loop.time()}`);
      return v;
    });
    await loop.runUntilComplete(function* () {
      yield* sleep(10);
      outer.cancel();
      yield* outer;
    });
    expect(trace).toEqual(["inner swallows @10", "outer got inner result @12", "outer slept @17"]);
    expect(outer.cancelled()).toBe(false);
    expect(outer.result()).toBe("inner result");
    loop.close();
  });

  it("counts cancel requests, and uncancel() to zero drops a cancel not yet delivered", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const me = currentTask()!;
      me.cancel();
      me.cancel();
      trace.push(`cancelling ${me.cancelling()}`);
      trace.push(`uncancel -> ${me.uncancel()}`);
      trace.push(`uncancel -> ${me.uncancel()}`);
      trace.push(`uncancel -> ${me.uncancel()}`);
      yield* sleep(5);
      trace.push(`slept undisturbed @${loop.time()}`);
    });
    expect(trace).toEqual([
      "cancelling 2",
      "uncancel -> 1",
      "uncancel -> 0",
      "uncancel -> 0",
      "slept undisturbed @5",
    ]);
    loop.close();
  });

  it("runs a parked task's undo exactly once when cancelled, and ignores a late wake", async () => {
    const { loop } = virtualLoop(core);
    let waker: Waker<string> | null = null;
    let undos = 0;
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(function* () {
        try {
          const v = yield* suspend<string>(
            (w) => {
              waker = w;
              return () => void undos++;
            },
            { external: false },
          );
          trace.push(`woke with ${v}`);
        } catch (e) {
          trace.push(`interrupted: ${(e as Error).name}`);
        }
      });
      yield;
      expect(waker!.active).toBe(true);
      t.cancel();
      t.cancel(); // a second request does not undo twice
      expect(waker!.active).toBe(false);
      expect(waker!.resume("too late")).toBe(false);
      expect(waker!.fail(new Error("too late"))).toBe(false);
      yield* t;
    });
    expect(undos).toBe(1);
    expect(trace).toEqual(["interrupted: CancelledError"]);
    loop.close();
  });

  it("a cancel that lands after the waker fired wins over the value it sent (asyncio)", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    let waker: Waker<string> | null = null;
    await loop.runUntilComplete(function* () {
      const t = createTask(function* () {
        try {
          const v = yield* suspend<string>((w) => void (waker = w), { external: false });
          trace.push(`got ${v}`);
        } catch (e) {
          trace.push(`${(e as Error).name} @${loop.time()}`);
        }
      });
      yield;
      expect(waker!.resume("the item")).toBe(true);
      expect(waker!.woken).toBe(true);
      expect(waker!.active).toBe(false);
      t.cancel();
      yield* t;
    });
    expect(trace).toEqual(["CancelledError @0"]);
    loop.close();
  });

  it("cancels a task whose sleep ends in the same tick without waking it twice", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    let t: Task<void> | null = null;
    // Armed before the task's sleep: due in the same tick, and earlier in it.
    loop.callLater(10, () => void t!.cancel());
    t = loop.createTask(function* () {
      try {
        yield* sleep(10);
        trace.push("slept");
      } catch (e) {
        trace.push(`${(e as Error).name} @${loop.time()}`);
        yield* sleep(5);
        trace.push(`cleanup slept @${loop.time()}`);
        yield* sleep(5);
        trace.push(`cleanup slept again @${loop.time()}`);
      }
    });
    await loop.runUntilComplete(t);
    expect(trace).toEqual(["CancelledError @10", "cleanup slept @15", "cleanup slept again @20"]);
    loop.close();
  });

  it("cancels the tasks still pending when run()'s main returns, running their finally", async () => {
    const trace: string[] = [];
    const v = await run(
      function* () {
        createTask(function* () {
          try {
            yield* sleep(1000);
          } finally {
            trace.push("background finally");
            yield* sleep(1);
            trace.push("background cleaned up");
          }
        });
        yield* sleep(1);
        return "main done";
      },
      { core, clock: "virtual" },
    );
    expect(v).toBe("main done");
    expect(trace).toEqual(["background finally", "background cleaned up"]);
  });
});
