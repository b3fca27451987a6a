// The kernel hardened: faults in user code the kernel calls are contained, a fault in the
// kernel itself breaks only its loop (with InternalError), a closed loop can never touch
// a later one, Node gets a turn every slice however many tasks are ready, and operations
// leave nothing registered behind.

import { availableParallelism, loadavg } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  DRIVE_SLICE_MS,
  Event,
  ExceptionGroup,
  InternalError,
  InvalidStateError,
  TimeoutError,
  asCompleted,
  createTask,
  gather,
  newEventLoop,
  run,
  shield,
  sleep,
  suspend,
  taskGroup,
  wait,
  waitFor,
  FIRST_COMPLETED,
  type ExceptionContext,
  type Task,
  type Waker,
} from "../../src/index.js";
import { recordReports, virtualLoop } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  describe("fault containment", () => {
    it("a throwing undo in a failing task group reaches the exception handler, and run() reports the real error", async () => {
      let reports: ExceptionContext[] = [];
      let leftRunning: boolean | null = null;
      const failure = await run(
        function* () {
          reports = recordReports(createTask(sleep(0)).loop);
          try {
            yield* taskGroup(function* (tg) {
              tg.createTask(function* () {
                yield* sleep(5);
                throw new Error("child failed");
              });
              tg.createTask(function* () {
                yield* suspend<void>(
                  () => () => {
                    throw new Error("undo failed");
                  },
                  { external: false },
                );
              });
            });
          } catch (e) {
            return e;
          }
          return null;
        },
        { core, clock: "virtual" },
      ).finally(() => {
        leftRunning = false;
      });
      expect(failure).toBeInstanceOf(ExceptionGroup);
      expect((failure as ExceptionGroup).errors.map((e) => (e as Error).message)).toEqual([
        "child failed",
      ]);
      expect(reports.map((r) => [r.message, (r.exception as Error).message])).toEqual([
        ["Exception in the undo of a cancelled wait", "undo failed"],
      ]);
      expect(leftRunning).toBe(false);
    });

    it("a throwing done listener and a throwing forwardCancel go to the handler; the loop goes on", async () => {
      const { loop, reports } = virtualLoop(core);
      const trace: string[] = [];
      await loop.runUntilComplete(function* () {
        const t = createTask(sleep(5, "v"));
        t.onDone(() => {
          throw new Error("listener failed");
        });
        t.onDone((done) => void trace.push(`second listener sees ${done.result()}`));
        const w = createTask(function* () {
          try {
            yield* suspend<void>(() => {}, {
              external: false,
              forwardCancel: () => {
                throw new Error("forward failed");
              },
            });
          } catch (e) {
            trace.push(`waiter ${(e as Error).name}`);
          }
        });
        yield* t;
        w.cancel(); // the forward throws: the cancel stays pending, reported
        yield* sleep(1);
        w.throwInto(new CancelledError("by hand"));
        yield* w;
      });
      expect(trace).toEqual(["second listener sees v", "waiter CancelledError"]);
      expect(reports.map((r) => (r.exception as Error).message)).toEqual([
        "listener failed",
        "forward failed",
      ]);
      expect(loop.isRunning()).toBe(false);
      await loop.close();
    });

    it("a fault in the kernel breaks only its loop: InternalError, then a clear refusal", async () => {
      const { loop } = virtualLoop(core);
      const advance = loop.core.advance.bind(loop.core);
      let calls = 0;
      // Inject a fault into the core's bookkeeping: its third timer phase throws. (A broken
      // loop's core is never pooled, so the patch cannot reach another loop.)
      loop.core.advance = (now: number) => {
        if (++calls === 3) throw new RangeError("injected fault");
        return advance(now);
      };
      const err = await loop
        .runUntilComplete(function* () {
          for (let i = 0; i < 10; i++) yield* sleep(1);
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InternalError);
      expect((err as InternalError).message).toMatch(/this is a bug in spindle.*injected fault/);
      expect((err as InternalError).cause).toBeInstanceOf(RangeError);
      expect(loop.failure).toBe(err);
      expect(loop.isRunning()).toBe(false);
      expect(() => loop.createTask(sleep(1))).toThrow(InvalidStateError);
      expect(() => loop.createTask(sleep(1))).toThrow(/refuses further work/);
      expect(() => loop.callSoon(() => {})).toThrow(/refuses further work/);
      await loop.close();
    });

    it("run() rejects with the InternalError of a broken loop, never 'already running'", async () => {
      const err = await run(
        function* () {
          const loop = createTask(sleep(0)).loop;
          loop.core.advance = () => {
            throw new TypeError("injected");
          };
          yield* sleep(1);
          yield* sleep(1);
        },
        { core, clock: "virtual" },
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InternalError);
      expect((err as Error).message).not.toMatch(/already running/);
    });
  });

  describe("isolation", () => {
    it("nothing of a closed loop reaches a later loop's tasks or timers, across 600 reuses", async () => {
      const a = newEventLoop({ core, clock: "virtual" });
      let oldWaker: Waker<string> | null = null;
      const oldHandle = a.callLater(1000, () => {});
      const oldTask = a.createTask(function* () {
        yield* suspend<string>((w) => void (oldWaker = w), { external: false });
      });
      await a.runUntilComplete(sleep(1));
      await a.close();

      const b = newEventLoop({ core, clock: "virtual" });
      const fired: number[] = [];
      await b.runUntilComplete(function* () {
        // More id and timer reuses than the 9 generation bits can tell apart (512).
        for (let i = 0; i < 600; i++) b.callLater(50, () => fired.push(-1)).cancel();
        b.callLater(10, () => fired.push(10));
        const t = createTask(sleep(20, "mine"));
        // Everything the closed loop handed out is inert now.
        oldHandle.cancel();
        expect(oldTask.cancel()).toBe(false);
        expect(oldTask.throwInto(new Error("x"))).toBe(false);
        expect(oldWaker!.resume("stale")).toBe(false);
        expect(yield* t).toBe("mine");
      });
      expect(fired).toEqual([10]);
      await b.close();
    });
  });

  describe("leaks", () => {
    it("100k wait/gather/asCompleted/waitFor calls against one long-lived task leave the heap flat", async () => {
      const g = globalThis as { gc?: () => void; Bun?: { gc(sync: boolean): void } };
      const bun = g.Bun;
      // Bun (`bun --bun vitest`) has no V8 flags to set; it collects through Bun.gc.
      if (g.gc === undefined && bun !== undefined) g.gc = () => bun.gc(true);
      if (g.gc === undefined) {
        setFlagsFromString("--expose-gc");
        g.gc = runInNewContext("gc") as () => void;
      }
      const gc = g.gc;
      const heap = (): number => {
        gc();
        gc();
        return process.memoryUsage().heapUsed;
      };
      await run(
        function* () {
          const longLived: Task<void> = createTask(sleep(1e12));
          // Each call registers something on the long-lived task and must take it away
          // on its way out: by result, by timeout, by leaving a loop early, by throwInto.
          function* round(n: number) {
            for (let i = 0; i < n; i++) {
              const quick = createTask(sleep(0, i));
              switch (i % 4) {
                case 0:
                  yield* wait<unknown>([longLived, quick], { returnWhen: FIRST_COMPLETED });
                  break;
                case 1: {
                  const g = createTask(gather(longLived, quick));
                  yield* quick;
                  g.throwInto(new Error("stop waiting"));
                  yield* gather(g, { returnExceptions: true });
                  break;
                }
                case 2:
                  for (const next of asCompleted<unknown>([longLived, quick])) {
                    yield* next;
                    break;
                  }
                  break;
                default:
                  try {
                    yield* waitFor(shield(longLived), 1);
                  } catch (e) {
                    if (!(e instanceof TimeoutError)) throw e;
                  }
                  try {
                    yield* waitFor(wait([longLived]), 1);
                  } catch (e) {
                    if (!(e instanceof TimeoutError)) throw e;
                  }
              }
            }
          }
          yield* round(10_000); // warm up: JIT, pools, id tables
          const before = heap();
          yield* round(100_000);
          const after = heap();
          // A leak of one closure per call would be ~100k × 100 B = 10 MB.
          expect(after - before).toBeLessThan(2 << 20);
          expect(longLived.done()).toBe(false);
          longLived.cancel();
        },
        { core, clock: "virtual" },
      );
    }, 120_000);
  });
});

describe("the slice", () => {
  for (const tasks of [20_000, 100_000]) {
    it(`gives Node a turn every slice with ${tasks.toLocaleString("en")} busy tasks`, async () => {
      // Node's turns, seen from outside: a setImmediate chain, which runs only when the
      // loop gives Node a turn. What the loop ran between two turns is counted in task
      // steps (an instrument), not in wall time: wall time on a loaded 2-core machine
      // also measures other processes and GC pauses, which are not the loop's doing.
      let steps = 0;
      let mostSteps = 0;
      let turns = 0;
      const gaps: Array<[number, number]> = []; // [start, end] of each wait for a turn
      let last = performance.now();
      let stop = false;
      const tick = (): void => {
        const now = performance.now();
        gaps.push([last, now]);
        last = now;
        mostSteps = Math.max(mostSteps, steps);
        steps = 0;
        turns++;
        if (!stop) setImmediate(tick);
      };
      // GC pauses are not the loop's doing: each gap is measured without them.
      const pauses: Array<[number, number]> = [];
      const gc = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) pauses.push([e.startTime, e.startTime + e.duration]);
      });
      gc.observe({ entryTypes: ["gc"] });
      setImmediate(tick);
      await run(function* () {
        createTask(sleep(0)).loop.addInstrument({ beforeTaskStep: () => void steps++ });
        // Created in chunks (one task step creating 100k tasks would itself be a long
        // step); then every task is ready at once, and each gives the turn 10 times.
        let left = tasks;
        const allDone = new Event();
        for (let i = 0; i < tasks; i++) {
          createTask(function* () {
            for (let k = 0; k < 10; k++) yield;
            if (--left === 0) allDone.set();
          });
          if (i % 1000 === 999) yield;
        }
        yield* allDone.wait();
      });
      stop = true;
      gc.disconnect();
      const withoutGc = ([from, to]: [number, number]): number =>
        pauses.reduce(
          (ms, [s, e]) => ms - Math.max(0, Math.min(to, e) - Math.max(from, s)),
          to - from,
        );
      const longest = Math.max(...gaps.map(withoutGc));
      // Before: one tick ran every ready task, and the clock was read every 16 ticks — the
      // whole program (200k or 1M steps) in one or two turns, ~200 ms and ~1 s without a
      // turn for Node. Now a turn comes every slice: a few thousand steps. Measured on a
      // quiet machine: the longest gap is DRIVE_SLICE_MS plus a ms or two (docs/guide.md).
      // The step counts hold however loaded the machine is (a slice holds fewer steps, not
      // more). The wall-clock bound leaves ~100 ms for a loaded machine's scheduling (seen:
      // 60 ms at a load average of 6 on 2 cores) and still fails the old kernel tenfold;
      // past 2 runnable processes per core (the suite's own two workers make 1), wall time
      // measures the machine, not the loop.
      expect(mostSteps).toBeLessThan(50_000);
      expect(turns).toBeGreaterThan((tasks * 10) / 50_000);
      const load = loadavg()[0]! / availableParallelism();
      if (load <= 2) expect(longest).toBeLessThan(DRIVE_SLICE_MS + 100);
      else
        console.warn(
          `slice test: load ${load.toFixed(1)} per core, wall-clock bound not checked (gap ${longest.toFixed(0)} ms)`,
        );
    }, 60_000);
  }
});
