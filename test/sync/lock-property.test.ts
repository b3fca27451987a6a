// Property: under random cancellations — while parked, and after a release woke the task
// but before it ran — a Lock or Semaphore is never held by more tasks than it admits, no
// permit is lost or duplicated, and no cancelled task is left holding one.

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  BoundedSemaphore,
  Lock,
  createTask,
  gather,
  run,
  sleep,
  type Task,
} from "../../src/index.js";
import { turns } from "./helpers.js";

type Cmd =
  | { t: "enter"; hold: number }
  | { t: "cancel"; k: number }
  | { t: "turn"; n: number }
  | { t: "sleep"; ms: number };

// Weighted so that tasks contend: many enters holding for a while, cancels that land on
// parked and on just-woken waiters (measured: a few hundred of each per run of the test).
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("enter" as const),
      hold: fc.integer({ min: 0, max: 4 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("cancel" as const), k: fc.nat(20) }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("turn" as const), n: fc.integer({ min: 1, max: 3 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("sleep" as const), ms: fc.integer({ min: 1, max: 3 }) }),
  },
);

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  test("random acquires, releases and cancels never break mutual exclusion or lose a permit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 }),
        fc.array(cmd, { minLength: 10, maxLength: 60, size: "max" }),
        async (permits, cmds) => {
          await run(
            function* () {
              // 0 permits stands for a Lock.
              const prim = permits === 0 ? new Lock() : new BoundedSemaphore(permits);
              const capacity = permits === 0 ? 1 : permits;
              let inside = 0;
              let maxInside = 0;
              const tasks: Task<void>[] = [];
              for (const c of cmds) {
                if (c.t === "enter") {
                  tasks.push(
                    createTask(function* () {
                      yield* prim.with(function* () {
                        inside++;
                        maxInside = Math.max(maxInside, inside);
                        try {
                          if (c.hold > 0) yield* sleep(c.hold);
                          else yield;
                        } finally {
                          inside--;
                        }
                      });
                    }),
                  );
                } else if (c.t === "cancel") {
                  const live = tasks.filter((t) => !t.done());
                  if (live.length > 0) live[c.k % live.length]!.cancel();
                } else if (c.t === "turn") yield* turns(c.n);
                else yield* sleep(c.ms);
                expect(inside).toBeLessThanOrEqual(capacity);
              }
              yield* gather(...tasks, { returnExceptions: true });
              expect(maxInside).toBeLessThanOrEqual(capacity);
              expect(inside).toBe(0);
              expect(prim.statistics().tasksWaiting).toBe(0);
              if (prim instanceof Lock) expect(prim.locked()).toBe(false);
              else expect(prim.statistics().value).toBe(permits);
            },
            { core, clock: "virtual" },
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
