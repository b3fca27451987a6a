// Property: whatever the interleaving of puts, gets, timeouts and cancellations — cancels
// that land while a task waits and cancels that win the race against its wake-up — a queue
// never loses an item and never delivers one twice, never leaves a waiter parked while
// what it waits for is there, and its waiter lists never keep an entry for a task that
// stopped waiting.

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  TimeoutError,
  createTask,
  gather,
  getRunningLoop,
  run,
  sleep,
  waitFor,
  type Task,
} from "../../src/index.js";
import { turns } from "./helpers.js";

type Cmd =
  | { t: "getter" }
  | { t: "putter" }
  | { t: "timedGetter"; ms: number }
  | { t: "timedPutter"; ms: number }
  | { t: "getNowait" }
  | { t: "putNowait" }
  | { t: "cancel"; k: number }
  | { t: "turn"; n: number }
  | { t: "sleep"; ms: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.constant({ t: "getter" as const }),
  fc.constant({ t: "putter" as const }),
  fc.record({ t: fc.constant("timedGetter" as const), ms: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ t: fc.constant("timedPutter" as const), ms: fc.integer({ min: 1, max: 4 }) }),
  fc.constant({ t: "getNowait" as const }),
  fc.constant({ t: "putNowait" as const }),
  fc.record({ t: fc.constant("cancel" as const), k: fc.nat(20) }),
  fc.record({ t: fc.constant("turn" as const), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ t: fc.constant("sleep" as const), ms: fc.integer({ min: 1, max: 3 }) }),
);

const kinds = ["fifo", "lifo", "priority"] as const;

function makeQueue(kind: (typeof kinds)[number], maxsize: number): Queue<number> {
  if (kind === "lifo") return new LifoQueue<number>(maxsize);
  if (kind === "priority") return new PriorityQueue<number>(maxsize);
  return new Queue<number>(maxsize);
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  test("random puts, gets, timeouts and cancels never lose or duplicate an item", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...kinds),
        fc.integer({ min: 0, max: 3 }),
        fc.array(cmd, { minLength: 10, maxLength: 60, size: "max" }),
        async (kind, maxsize, cmds) => {
          await run(
            function* () {
              const q = makeQueue(kind, maxsize);
              const accepted: number[] = []; // items whose put succeeded
              const delivered: number[] = []; // items a get returned
              const tasks: Task<void>[] = [];
              let next = 0;
              for (const c of cmds) {
                switch (c.t) {
                  case "getter":
                    tasks.push(
                      createTask(function* () {
                        delivered.push(yield* q.get());
                      }),
                    );
                    break;
                  case "putter": {
                    const item = next++;
                    tasks.push(
                      createTask(function* () {
                        yield* q.put(item);
                        accepted.push(item);
                      }),
                    );
                    break;
                  }
                  case "timedGetter":
                    tasks.push(
                      createTask(function* () {
                        try {
                          delivered.push(yield* waitFor(q.get(), c.ms));
                        } catch (e) {
                          if (!(e instanceof TimeoutError)) throw e;
                        }
                      }),
                    );
                    break;
                  case "timedPutter": {
                    const item = next++;
                    tasks.push(
                      createTask(function* () {
                        try {
                          yield* waitFor(q.put(item), c.ms);
                          accepted.push(item);
                        } catch (e) {
                          if (!(e instanceof TimeoutError)) throw e;
                        }
                      }),
                    );
                    break;
                  }
                  case "getNowait":
                    try {
                      delivered.push(q.getNowait());
                    } catch (e) {
                      if (!(e instanceof QueueEmpty)) throw e;
                    }
                    break;
                  case "putNowait": {
                    const item = next++;
                    try {
                      q.putNowait(item);
                      accepted.push(item);
                    } catch (e) {
                      if (!(e instanceof QueueFull)) throw e;
                    }
                    break;
                  }
                  case "cancel": {
                    const live = tasks.filter((t) => !t.done());
                    if (live.length > 0) live[c.k % live.length]!.cancel();
                    break;
                  }
                  case "turn":
                    yield* turns(c.n);
                    break;
                  case "sleep":
                    yield* sleep(c.ms);
                    break;
                }
              }
              // Once every woken waiter has run (a chain of hand-offs takes a tick each),
              // nobody waits for what is there: parked getters mean an empty queue, parked
              // putters a full one (no lost wake-up).
              const loop = getRunningLoop()!;
              for (let i = 0; i < 1000 && loop.stats().ready > 1; i++) yield;
              const quiet = q.statistics();
              if (quiet.tasksWaitingGet > 0) expect(quiet.qsize).toBe(0);
              if (quiet.tasksWaitingPut > 0) expect(q.full()).toBe(true);
              for (const t of tasks) t.cancel();
              yield* gather(...tasks, { returnExceptions: true });
              const s = q.statistics();
              expect([s.tasksWaitingGet, s.tasksWaitingPut]).toEqual([0, 0]);
              expect(s.unfinishedTasks).toBe(accepted.length);
              while (!q.empty()) delivered.push(q.getNowait());
              expect(sorted(delivered)).toEqual(sorted(accepted));
            },
            { core, clock: "virtual" },
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  test("getters waiting on a Queue receive items in the order they were put", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.nat(7), async (n, cancelAt) => {
        await run(
          function* () {
            const q = new Queue<number>();
            const got: string[] = [];
            const tasks = Array.from({ length: n }, (_, i) =>
              createTask(function* () {
                got.push(`g${i}:${yield* q.get()}`);
              }),
            );
            yield* turns(1);
            const cancelled = cancelAt % n;
            tasks[cancelled]!.cancel();
            yield* turns(1);
            for (let i = 0; i < n - 1; i++) q.putNowait(i);
            yield* gather(...tasks, { returnExceptions: true });
            const expected = tasks
              .map((_, i) => i)
              .filter((i) => i !== cancelled)
              .map((g, item) => `g${g}:${item}`);
            expect(got).toEqual(expected);
            expect(q.qsize()).toBe(0);
          },
          { core, clock: "virtual" },
        );
      }),
      { numRuns: 40 },
    );
  });
});
