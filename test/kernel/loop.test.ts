// The event loop: its lifecycle (run, stop, close), callbacks and handles, the virtual
// clock, and its manners as a guest in Node's event loop (never blocks it, one Node timer).

import { afterEach, describe, expect, it, vi } from "vitest";
import {
  EventLoop,
  Handle,
  TimerHandle,
  createTask,
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  run,
  sleep,
} from "../../src/index.js";
import { virtualLoop } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  describe("callbacks", () => {
    it("runs a callLater callback after its delay, with its arguments", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const h = loop.callLater(
        250,
        (a: string, b: number) => void trace.push(`${a}${b}@${loop.time()}`),
        "x",
        7,
      );
      expect(h).toBeInstanceOf(TimerHandle);
      expect(h.when()).toBe(250);
      await loop.runUntilComplete(sleep(1000));
      expect(trace).toEqual(["x7@250"]);
      expect(loop.time()).toBe(1000);
      loop.close();
    });

    it("runs a callAt callback at an absolute loop time", async () => {
      const { loop } = virtualLoop(core);
      const trace: number[] = [];
      await loop.runUntilComplete(function* () {
        yield* sleep(100);
        const h = loop.callAt(130, () => void trace.push(loop.time()));
        expect(h.when()).toBe(130);
        yield* sleep(100);
      });
      expect(trace).toEqual([130]);
      loop.close();
    });

    it("runs a timer whose time has already passed on the next tick", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        yield* sleep(50);
        loop.callAt(10, () => void trace.push(`past callAt@${loop.time()}`));
        loop.callLater(-5, () => void trace.push(`negative callLater@${loop.time()}`));
        yield;
        yield;
        trace.push("main");
      });
      expect(trace).toEqual(["past callAt@50", "negative callLater@50", "main"]);
      loop.close();
    });

    it("never runs a cancelled callback, whether soon or later", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const soon = loop.callSoon(() => void trace.push("soon"));
      const later = loop.callLater(10, () => void trace.push("later"));
      const kept = loop.callLater(10, () => void trace.push("kept"));
      expect(soon).toBeInstanceOf(Handle);
      soon.cancel();
      later.cancel();
      later.cancel(); // twice is harmless
      expect(soon.cancelled()).toBe(true);
      expect(later.cancelled()).toBe(true);
      expect(kept.cancelled()).toBe(false);
      await loop.runUntilComplete(sleep(20));
      expect(trace).toEqual(["kept"]);
      loop.close();
    });

    it("does not run a timer cancelled by an earlier callback due in the same tick", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      let second: Handle | null = null;
      loop.callLater(0, () => {
        trace.push("first cancels second");
        second!.cancel();
        third.cancel();
      });
      second = loop.callLater(0, () => void trace.push("second"));
      const third = loop.callLater(0, () => void trace.push("third"));
      loop.callLater(0, () => void trace.push("fourth"));
      // Due at once (0 ms): the crash stays inside runUntilComplete, before any time jump.
      await loop.runUntilComplete(sleep(20));
      expect(trace).toEqual(["first cancels second", "fourth"]);
      loop.close();
    });

    it("does not run a callSoon callback cancelled earlier in its tick", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const handles: Handle[] = [];
      handles.push(
        loop.callSoon(() => {
          trace.push("a");
          handles[1]!.cancel();
        }),
      );
      handles.push(loop.callSoon(() => void trace.push("b")));
      handles.push(loop.callSoon(() => void trace.push("c")));
      await loop.runUntilComplete(sleep(1));
      expect(trace).toEqual(["a", "c"]);
      loop.close();
    });

    it("runs callbacks scheduled in a tick on the next one even when a cancel freed a slot", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const handles: Handle[] = [];
      handles.push(
        loop.callSoon(() => {
          trace.push("a");
          handles[1]!.cancel();
          loop.callSoon(() => void trace.push("c1"));
          loop.callSoon(() => void trace.push("c2"));
        }),
      );
      handles.push(loop.callSoon(() => void trace.push("b")));
      handles.push(loop.callSoon(() => void trace.push("d")));
      await loop.runUntilComplete(function* () {
        yield;
        yield;
        trace.push("main");
      });
      expect(trace).toEqual(["a", "d", "c1", "c2", "main"]);
      loop.close();
    });

    it("rejects a non-function callback and a non-number delay with a TypeError", () => {
      const { loop } = virtualLoop(core);
      expect(() => loop.callSoon(42 as never)).toThrow(/callSoon needs a function, got 42/);
      expect(() => loop.callLater(Number.NaN, () => {})).toThrow(TypeError);
      expect(() => loop.callLater("10" as never, () => {})).toThrow(/needs a number of ms/);
      expect(() => loop.callAt(Number.NaN, () => {})).toThrow(TypeError);
      loop.close();
    });
  });

  describe("running and stopping", () => {
    it("resolves runUntilComplete with the result and leaves other tasks to the next run", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const background = loop.createTask(function* () {
        for (let i = 0; i < 3; i++) {
          yield* sleep(10);
          trace.push(`bg@${loop.time()}`);
        }
        return "bg done";
      });
      const v = await loop.runUntilComplete(sleep(15, "first"));
      expect(v).toBe("first");
      expect(trace).toEqual(["bg@10"]);
      expect(background.done()).toBe(false);
      expect(loop.isRunning()).toBe(false);
      const w = await loop.runUntilComplete(background);
      expect(w).toBe("bg done");
      expect(trace).toEqual(["bg@10", "bg@20", "bg@30"]);
      expect(loop.time()).toBe(30);
      loop.close();
    });

    it("rejects runUntilComplete with the error the task failed with", async () => {
      const { loop, reports } = virtualLoop(core);
      const p = loop.runUntilComplete(function* () {
        yield* sleep(5);
        throw new RangeError("main failed");
      });
      await expect(p).rejects.toThrow(RangeError);
      await expect(p).rejects.toThrow("main failed");
      expect(reports).toEqual([]);
      loop.close();
    });

    it("is running inside its tasks and callbacks, and not before or after", async () => {
      const { loop } = virtualLoop(core);
      const seen: Array<[string, boolean, EventLoop | null]> = [];
      loop.callSoon(() => void seen.push(["callback", loop.isRunning(), getRunningLoop()]));
      expect(loop.isRunning()).toBe(false);
      await loop.runUntilComplete(function* () {
        seen.push(["task", loop.isRunning(), getRunningLoop()]);
        yield;
      });
      expect(loop.isRunning()).toBe(false);
      expect(getRunningLoop()).toBe(null);
      expect(seen).toEqual([
        ["callback", true, loop],
        ["task", true, loop],
      ]);
      loop.close();
    });

    it("runs forever, jumping virtual time, until stop() is called", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      loop.createTask(function* () {
        for (;;) {
          yield* sleep(100);
          trace.push(`tick@${loop.time()}`);
        }
      });
      loop.callLater(350, () => {
        trace.push("stop");
        loop.stop();
      });
      await loop.runForever();
      expect(trace).toEqual(["tick@100", "tick@200", "tick@300", "stop"]);
      expect(loop.isRunning()).toBe(false);
      expect(loop.time()).toBe(350);
      loop.close();
    });

    it("finishes the tick in progress when stopped; what it scheduled runs on the next run", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      loop.callSoon(() => {
        trace.push("a stops the loop");
        loop.stop();
        loop.callSoon(() => void trace.push("scheduled by a"));
      });
      loop.callSoon(() => void trace.push("b, same tick"));
      await loop.runForever();
      expect(trace).toEqual(["a stops the loop", "b, same tick"]);
      await loop.runUntilComplete(function* () {
        yield;
      });
      expect(trace).toEqual(["a stops the loop", "b, same tick", "scheduled by a"]);
      loop.close();
    });

    it("rejects runUntilComplete when the loop is stopped before the task completes", async () => {
      const { loop } = virtualLoop(core);
      const t = loop.createTask(function* () {
        yield* sleep(10);
        loop.stop();
        yield* sleep(10);
        return "finished later";
      });
      await expect(loop.runUntilComplete(t)).rejects.toThrow(
        "spindle: the event loop stopped before the task completed",
      );
      expect([t.done(), loop.time()]).toEqual([false, 10]);
      expect(await loop.runUntilComplete(t)).toBe("finished later");
      expect(loop.time()).toBe(20);
      loop.close();
    });

    it("runs one tick when stop() was called before it ran, then stops (asyncio)", async () => {
      const { loop } = virtualLoop(core);
      loop.stop();
      await expect(loop.runUntilComplete(sleep(5, "ran"))).rejects.toThrow(
        "the event loop stopped before the task completed",
      );
      // The stop was used up: the next run goes to completion.
      expect(await loop.runUntilComplete(sleep(5, "ran"))).toBe("ran");
      loop.close();
    });

    it("refuses to run twice at once", async () => {
      const { loop } = virtualLoop(core);
      const errors: string[] = [];
      await loop.runUntilComplete(function* () {
        try {
          void loop.runUntilComplete(sleep(1));
        } catch (e) {
          errors.push((e as Error).message);
        }
        try {
          void loop.runForever();
        } catch (e) {
          errors.push((e as Error).message);
        }
        yield;
      });
      expect(errors).toEqual([
        "spindle: this event loop is already running",
        "spindle: this event loop is already running",
      ]);
      loop.close();
    });

    it("refuses to close while running, and refuses to run or schedule once closed", async () => {
      const { loop } = virtualLoop(core);
      let closeError: unknown = null;
      await loop.runUntilComplete(function* () {
        try {
          loop.close();
        } catch (e) {
          closeError = e;
        }
        yield;
      });
      expect(String(closeError)).toMatch(/cannot close a running event loop/);
      expect(loop.isClosed()).toBe(false);
      loop.close();
      loop.close(); // idempotent
      expect(loop.isClosed()).toBe(true);
      expect(() => loop.runUntilComplete(sleep(1))).toThrow(/the event loop is closed/);
      expect(() => loop.runForever()).toThrow(/the event loop is closed/);
      expect(() => loop.callSoon(() => {})).toThrow(/the event loop is closed/);
      expect(() => loop.callLater(1, () => {})).toThrow(/the event loop is closed/);
      expect(() => loop.createTask(sleep(1))).toThrow(/the event loop is closed/);
    });

    it("refuses to run a task that belongs to another loop", async () => {
      const { loop } = virtualLoop(core);
      const { loop: other } = virtualLoop(core);
      const t = other.createTask(sleep(1, "other"));
      expect(() => loop.runUntilComplete(t)).toThrow(/belongs to another loop/);
      expect(await other.runUntilComplete(t)).toBe("other");
      loop.close();
      other.close();
    });
  });

  describe("loops", () => {
    it("getEventLoop() is the running loop inside it, and the current loop outside", async () => {
      const { loop } = virtualLoop(core);
      let inside: EventLoop | null = null;
      await loop.runUntilComplete(function* () {
        inside = getEventLoop();
        yield;
      });
      expect(inside).toBe(loop);
      const outside = getEventLoop();
      expect(outside).toBeInstanceOf(EventLoop);
      expect(outside).not.toBe(loop);
      expect(getEventLoop()).toBe(outside);
      loop.close();
    });

    it("run() runs main on a new loop that getEventLoop() returns inside, then closes it", async () => {
      let inside: EventLoop | null = null;
      const v = await run(
        function* () {
          inside = getEventLoop();
          yield* sleep(42);
          return getEventLoop().time();
        },
        { core, clock: "virtual" },
      );
      expect(v).toBe(42);
      const loop = inside as EventLoop | null;
      expect(loop).toBeInstanceOf(EventLoop);
      expect(loop!.core.kind).toBe(core);
      expect(loop!.isClosed()).toBe(true);
      expect(getEventLoop()).not.toBe(loop);
    });

    it("newEventLoop makes independent loops, each with its own virtual clock", async () => {
      const a = newEventLoop({ core, clock: "virtual" });
      const b = newEventLoop({ core, clock: "virtual" });
      expect(a.virtual).toBe(true);
      expect(a.core.kind).toBe(core);
      await a.runUntilComplete(sleep(500));
      await b.runUntilComplete(sleep(20));
      expect([a.time(), b.time()]).toEqual([500, 20]);
      a.close();
      b.close();
    });

    it("rejects an unknown core or clock with a TypeError", () => {
      expect(() => newEventLoop({ core: "gpu" as never })).toThrow(
        /core must be "wasm" or "ts", not "gpu"/,
      );
      expect(() => newEventLoop({ core, clock: "sundial" as never })).toThrow(TypeError);
    });

    it("createTask outside a running loop says it needs one", () => {
      expect(() => createTask(sleep(1))).toThrow(/createTask needs a running event loop/);
    });
  });

  describe("virtual clock", () => {
    it("starts at 0 and moves only when every task waits for a timer", async () => {
      const { loop } = virtualLoop(core);
      expect(loop.time()).toBe(0);
      const seen: number[] = [];
      await loop.runUntilComplete(function* () {
        for (let i = 0; i < 100; i++) yield; // giving the turn takes no virtual time
        seen.push(loop.time());
        yield* sleep(1500);
        seen.push(loop.time());
        yield* sleep(0.25);
        seen.push(loop.time());
      });
      expect(seen).toEqual([0, 1500, 1500.25]);
      loop.close();
    });

    it("runs an hour of simulated sleeps: time advances by exactly 3,600,000 ms", async () => {
      const { loop } = virtualLoop(core);
      const counts = await loop.runUntilComplete(function* () {
        const ticker = (period: number) =>
          createTask(function* () {
            let n = 0;
            while (loop.time() + period <= 3_600_000) {
              yield* sleep(period);
              n++;
            }
            return n;
          });
        const tasks = [ticker(1000), ticker(60_000), ticker(70), ticker(3_600_000)];
        const out: number[] = [];
        for (const t of tasks) out.push(yield* t);
        return out;
      });
      expect(counts).toEqual([3600, 60, Math.floor(3_600_000 / 70), 1]);
      expect(loop.time()).toBe(3_600_000);
      loop.close();
    });
  });

  describe("as a guest in Node's event loop", () => {
    it(
      "lets setImmediate and setTimeout(0) callbacks run while tasks spin forever",
      { timeout: 5000 },
      async () => {
        const { loop } = virtualLoop(core);
        let spins = 0;
        for (let i = 0; i < 3; i++)
          loop.createTask(function* () {
            for (;;) {
              spins++;
              yield;
            }
          });
        const seen: string[] = [];
        let spinsSeenByNode = -1;
        const nodeRan = (what: string): void => {
          seen.push(what);
          if (seen.length < 2) return;
          spinsSeenByNode = spins;
          loop.stop();
        };
        setImmediate(() => nodeRan("immediate"));
        setTimeout(() => nodeRan("timeout 0"), 0);
        await loop.runForever();
        expect(seen.sort()).toEqual(["immediate", "timeout 0"]);
        // The tasks did run before Node got its turn, and a stop ends them at once.
        expect(spinsSeenByNode).toBeGreaterThan(0);
        expect(spins - spinsSeenByNode).toBeLessThanOrEqual(3);
        expect(loop.allTasks().size).toBe(3);
        loop.close();
      },
    );

    it("sleeps in real time on the real clock", async () => {
      const loop = newEventLoop({ core, clock: "real" });
      expect(loop.virtual).toBe(false);
      const wall0 = performance.now();
      const loop0 = loop.time();
      const v = await loop.runUntilComplete(sleep(20, "woke"));
      const wall = performance.now() - wall0;
      expect(v).toBe("woke");
      expect(wall).toBeGreaterThanOrEqual(20);
      expect(loop.time() - loop0).toBeGreaterThanOrEqual(20);
      loop.close();
    });

    it("arms at most one Node timer at a time on the real clock", async () => {
      const realSetTimeout = globalThis.setTimeout;
      const realClearTimeout = globalThis.clearTimeout;
      const live = new Set<unknown>();
      let armed = 0;
      let maxLive = 0;
      vi.spyOn(globalThis, "setTimeout").mockImplementation(((
        fn: (...args: unknown[]) => void,
        ms?: number,
        ...args: unknown[]
      ) => {
        const t = realSetTimeout(() => {
          live.delete(t);
          fn(...args);
        }, ms);
        live.add(t);
        armed++;
        maxLive = Math.max(maxLive, live.size);
        return t;
      }) as typeof setTimeout);
      vi.spyOn(globalThis, "clearTimeout").mockImplementation(((t: unknown) => {
        live.delete(t);
        realClearTimeout(t as Parameters<typeof clearTimeout>[0]);
      }) as typeof clearTimeout);

      const loop = newEventLoop({ core, clock: "real" });
      const trace: number[] = [];
      await loop.runUntilComplete(function* () {
        // Tens of ms apart: a loaded machine fires Node timers late.
        const sleepers = [120, 30, 90, 60, 30, 150].map((ms) =>
          createTask(function* () {
            yield* sleep(ms);
            trace.push(ms);
          }),
        );
        loop.callLater(75, () => void trace.push(75));
        for (const t of sleepers) yield* t;
      });
      vi.restoreAllMocks();
      // The order is checked on the virtual clock; on a loaded machine two of these can be
      // due in one tick, where a callback runs before a task whose sleep fired with it.
      expect([...trace].sort((a, b) => a - b)).toEqual([30, 30, 60, 75, 90, 120, 150]);
      expect(armed).toBeGreaterThanOrEqual(1);
      expect(maxLive).toBe(1);
      expect(live.size).toBe(0);
      loop.close();
    });
  });
});
