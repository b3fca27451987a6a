// Edge cases found in review: waits that can never end, cycles, and what counts as having
// looked at a failure.

import { describe, expect, it } from "vitest";
import {
  createTask,
  currentTask,
  DeadlockError,
  ExceptionGroup,
  newEventLoop,
  sleep,
  taskGroup,
  type Task,
} from "../../src/index.js";
import { errText, virtualLoop } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  it("reuses a closed loop's core without anything the old loop holds reaching the new one", async () => {
    const trace: string[] = [];
    const old = newEventLoop({ core, clock: "virtual" });
    const oldTimer = old.callLater(5, () => trace.push("old timer"));
    const oldTask = old.createTask(function* () {
      yield* sleep(5);
      trace.push("old task");
    });
    old.close(); // its wasm core is reset and pooled
    const loop = newEventLoop({ core, clock: "virtual" });
    loop.callSoon(() => trace.push("soon"));
    const five = loop.callLater(5, () => trace.push("new timer"));
    // Handles of the closed loop name stale ids: they cannot cancel the new loop's work.
    oldTimer.cancel();
    oldTask.cancel();
    await loop.runUntilComplete(sleep(10));
    expect(trace).toEqual(["soon", "new timer"]);
    expect(five.cancelled()).toBe(false);
    loop.close();
  });

  it("raises DeadlockError at once when a task waits for itself", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const me = loop.createTask(
      function* () {
        try {
          yield* currentTask()! as Task<unknown>;
        } catch (e) {
          trace.push(errText(e));
        }
        trace.push(`after at ${loop.time()}`);
      },
      { name: "me" },
    );
    await loop.runUntilComplete(me);
    expect(trace).toEqual(["DeadlockError: spindle: task me waits for itself", "after at 0"]);
    loop.close();
  });

  it("never fires sleep(Infinity): on the virtual clock it is a deadlock, not a jump", async () => {
    const { loop } = virtualLoop(core);
    const err = await loop
      .runUntilComplete(function* () {
        yield* sleep(Infinity);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlockError);
    expect(loop.time()).toBe(0);
    loop.close();
  });

  it("cancels a task parked in sleep(Infinity) and runs its finally", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(function* () {
        try {
          yield* sleep(Infinity);
        } finally {
          trace.push(`finally at ${loop.time()}`);
        }
      });
      yield* sleep(7);
      t.cancel();
      yield* sleep(1);
      trace.push(`cancelled=${t.cancelled()}`);
    });
    expect(trace).toEqual(["finally at 7", "cancelled=true"]);
    loop.close();
  });

  it("never runs callLater(Infinity), and its handle still cancels", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const h = loop.callLater(Infinity, () => trace.push("fired"));
    loop.callLater(5, () => trace.push("five"));
    await loop.runUntilComplete(sleep(10));
    h.cancel();
    expect(trace).toEqual(["five"]);
    expect(h.cancelled()).toBe(true);
    loop.close();
  });

  it("reports a failure seen only through addDoneCallback, as asyncio", async () => {
    const { loop, reports } = virtualLoop(core);
    const seen: string[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(function* () {
        yield;
        throw new Error("boom");
      });
      t.addDoneCallback((task) => seen.push(`done ${task.done()}`));
      yield* sleep(1);
    });
    loop.close();
    expect(seen).toEqual(["done true"]);
    expect(reports.map((r) => r.message)).toEqual(["Task exception was never retrieved"]);
    expect(errText(reports[0]!.exception)).toBe("Error: boom");
  });

  it("puts the body's error after the children's in the ExceptionGroup, as asyncio", async () => {
    const { loop } = virtualLoop(core);
    const err = await loop
      .runUntilComplete(function* () {
        yield* taskGroup(function* (tg) {
          tg.createTask(function* () {
            yield;
            throw new Error("child");
          });
          try {
            yield* sleep(10);
          } catch {
            // the child's failure cancelled the body; it fails in turn
            throw new Error("body");
          }
        });
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).errors.map(errText)).toEqual(["Error: child", "Error: body"]);
    loop.close();
  });

  it("a deadlock leaves the tasks main awaited un-cancelled (run() cleans them up)", async () => {
    const { loop } = virtualLoop(core);
    let child: Task<unknown> | null = null;
    const err = await loop
      .runUntilComplete(function* () {
        child = createTask(function* () {
          yield* sleep(Infinity);
        });
        yield* child;
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlockError);
    expect(child!.done()).toBe(false);
    expect(child!.cancelling()).toBe(0);
    loop.close();
  });
});
