// spindle/greenlet beyond the reference traces: greenlets inside the kernel (sleeps, queues,
// turns, cancellation, timeouts), the direct transfer (no other task runs between two
// switches), the errors a user can cause (each typed, each explaining itself), binding,
// introspection and states. Both cores, virtual clock.

import { describe, expect, test } from "vitest";
import {
  CancelledError,
  Event,
  Queue,
  createTask,
  getRunningLoop,
  newEventLoop,
  run,
  sleep,
  timeout,
  type Instruction,
  type Operation,
} from "../../src/index.js";
import {
  Greenlet,
  GreenletError,
  GreenletExit,
  InvalidParentError,
  getcurrent,
  greenlet,
} from "../../src/greenlet/index.js";

/** The error `op` throws (fails the test if it does not throw). */
function* caught(op: Operation<unknown>): Generator<Instruction | undefined, unknown, unknown> {
  try {
    yield* op;
  } catch (e) {
    return e;
  }
  throw new Error("expected an exception");
}

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  const opts = { core, clock: "virtual" } as const;

  describe("greenlets inside the kernel", () => {
    test("a greenlet sleeps and the task sleeps with it, on the loop's clock", async () => {
      const trace: string[] = [];
      await run(function* () {
        const loop = getRunningLoop()!;
        const sleeper = greenlet(function* (ms: number) {
          trace.push(`sleeper sleeps ${ms} at ${loop.time()}`);
          yield* sleep(ms);
          trace.push(`sleeper wakes at ${loop.time()}`);
          const more = (yield* getcurrent().parent!.switch("slept")) as number;
          yield* sleep(more);
          return `slept again until ${loop.time()}`;
        });
        const ticker = createTask(function* () {
          for (let i = 1; i <= 3; i++) {
            yield* sleep(40);
            trace.push(`ticker ${i} at ${loop.time()}`);
          }
        });
        trace.push(`main got ${String(yield* sleeper.switch(100))}`);
        trace.push(`main got ${String(yield* sleeper.switch(50))}`);
        yield* ticker;
      }, opts);
      expect(trace).toEqual([
        "sleeper sleeps 100 at 0",
        "ticker 1 at 40",
        "ticker 2 at 80",
        "sleeper wakes at 100",
        "main got slept",
        "ticker 3 at 120",
        "main got slept again until 150",
      ]);
    });

    test("switches are direct: no other task runs between them, a bare yield lets one run", async () => {
      const trace: string[] = [];
      await run(function* () {
        const other = createTask(function* () {
          for (let i = 0; i < 3; i++) {
            trace.push("other task");
            yield;
          }
        });
        const main = getcurrent();
        const pinger: Greenlet = greenlet(function* () {
          for (let i = 0; i < 3; i++) {
            trace.push(`ping ${i}`);
            yield* ponger.switch();
          }
          yield; // a bare yield: the task gives its turn, inside the greenlet
          trace.push("ping after the turn");
          yield* main.switch();
        });
        const ponger: Greenlet = greenlet(function* () {
          for (;;) {
            trace.push("pong");
            yield* pinger.switch();
          }
        });
        yield* pinger.switch();
        yield* other;
      }, opts);
      expect(trace).toEqual([
        "ping 0",
        "pong",
        "ping 1",
        "pong",
        "ping 2",
        "pong",
        "other task",
        "ping after the turn",
        "other task",
        "other task",
      ]);
    });

    test("a greenlet gets items from a Queue filled by another task", async () => {
      const got: number[] = [];
      await run(function* () {
        const q = new Queue<number>({ maxsize: 1 });
        const producer = createTask(function* () {
          for (let i = 0; i < 5; i++) yield* q.put(i);
        });
        const consumer = greenlet(function* () {
          for (let i = 0; i < 5; i++) got.push(yield* q.get());
          return "consumed";
        });
        expect(yield* consumer.switch()).toBe("consumed");
        yield* producer;
      }, opts);
      expect(got).toEqual([0, 1, 2, 3, 4]);
    });

    test("cancelling the task lands in the greenlet that waits; it propagates to the parent", async () => {
      const trace: string[] = [];
      const outcome = await run(function* () {
        const worker = createTask(function* () {
          const waiter = greenlet(function* () {
            try {
              yield* sleep(1000);
            } catch (e) {
              trace.push(`waiter caught ${(e as Error).name}`);
              throw e;
            } finally {
              trace.push("waiter finally");
            }
          });
          const middle = greenlet(function* () {
            try {
              return yield* waiter.switch();
            } finally {
              trace.push("middle finally"); // never: middle stays suspended
            }
          });
          // waiter's parent is main (it was made in main): the exception skips middle.
          try {
            yield* middle.switch();
          } catch (e) {
            trace.push(`main greenlet caught ${(e as Error).name}`);
            throw e;
          }
        });
        yield* sleep(10);
        worker.cancel();
        try {
          yield* worker;
        } catch (e) {
          return `worker: ${(e as Error).name}, cancelled ${worker.cancelled()}`;
        }
        return "worker finished";
      }, opts);
      expect(trace).toEqual([
        "waiter caught CancelledError",
        "waiter finally",
        "main greenlet caught CancelledError",
      ]);
      expect(outcome).toBe("worker: CancelledError, cancelled true");
    });

    test("a greenlet that swallows the cancellation goes on, and so does the task", async () => {
      const value = await run(function* () {
        const worker = createTask(function* () {
          const g = greenlet(function* () {
            try {
              yield* sleep(1000);
            } catch (e) {
              if (!(e instanceof CancelledError)) throw e;
            }
            yield* sleep(5);
            return "survived";
          });
          return yield* g.switch();
        });
        yield* sleep(10);
        worker.cancel();
        return yield* worker;
      }, opts);
      expect(value).toBe("survived");
    });

    test("a timeout scope around a switch times out inside the greenlet", async () => {
      const trace: string[] = [];
      await run(function* () {
        const slow = greenlet(function* () {
          try {
            yield* sleep(1000);
          } finally {
            trace.push("slow: finally");
          }
        });
        try {
          yield* timeout(50, () => slow.switch());
        } catch (e) {
          trace.push(`main: ${(e as Error).name} at ${getRunningLoop()!.time()}`);
        }
        trace.push(`slow dead: ${slow.dead}`);
      }, opts);
      expect(trace).toEqual(["slow: finally", "main: TimeoutError at 50", "slow dead: true"]);
    });

    test("a cancel that reaches no waiting greenlet does not disturb the switches", async () => {
      // Cancelled while a greenlet runs (no suspension point): CancelledError arrives at
      // the next kernel wait, in whichever greenlet makes it.
      const trace: string[] = [];
      await run(function* () {
        const task = createTask(function* () {
          const a: Greenlet = greenlet(function* () {
            getRunningLoop()!.currentTask()!.cancel();
            trace.push("a cancelled its task");
            yield* b.switch();
          });
          const b: Greenlet = greenlet(function* () {
            trace.push("b runs");
            try {
              yield* sleep(1);
            } catch (e) {
              trace.push(`b: ${(e as Error).name}`);
              throw e;
            }
          });
          yield* a.switch();
        });
        yield* caught(task);
        trace.push(`task cancelled: ${task.cancelled()}`);
      }, opts);
      expect(trace).toEqual([
        "a cancelled its task",
        "b runs",
        "b: CancelledError",
        "task cancelled: true",
      ]);
    });

    test("an exception escaping every greenlet fails the task", async () => {
      await expect(
        run(function* () {
          yield* greenlet(function* () {
            yield* sleep(5);
            throw new RangeError("out of range");
          }).switch();
        }, opts),
      ).rejects.toThrow(RangeError);
    });

    test("a thousand greenlets in a ring pass a token ten times round", async () => {
      const N = 1000;
      const ROUNDS = 10;
      const result = await run(function* () {
        const ring: Greenlet[] = [];
        for (let i = 0; i < N; i++)
          ring.push(
            greenlet(function* (token: number) {
              for (;;) {
                if (token === N * ROUNDS) return token;
                token = (yield* ring[(i + 1) % N]!.switch(token + 1)) as number;
              }
            }),
          );
        return yield* ring[0]!.switch(0);
      }, opts);
      expect(result).toBe(N * ROUNDS);
    });

    test("a long chain of parents unwinds without growing the stack", async () => {
      // 20k greenlets, each made by the one before (so it is its parent) and switched to
      // at once; the last returns, and every one returns to its parent what it got: the
      // unwinding is a loop in the trampoline, not a recursion.
      const depth = 20_000;
      function* link(i: number): Generator<Instruction | undefined, number, unknown> {
        if (i === depth) return i;
        return (yield* greenlet(link).switch(i + 1)) as number;
      }
      const result = await run(function* () {
        return yield* greenlet(link).switch(1);
      }, opts);
      expect(result).toBe(depth);
    });
  });

  describe("switches hosted at depth (a switch runs its target in its own frame)", () => {
    test("kernel waits three hosts deep go up to the kernel and their answers come back", async () => {
      const trace: string[] = [];
      await run(function* () {
        const loop = getRunningLoop()!;
        const main = getcurrent();
        // a hosts b, b hosts c: each switch runs its target in its own frame.
        const c = greenlet(function* c() {
          trace.push(`c runs, current is c: ${String(getcurrent())}`);
          yield* sleep(30);
          trace.push(`c woke at ${loop.time()}`);
          const v = yield* b.switch("from c");
          trace.push(`c got ${String(v)}`);
          return "c done";
        });
        const b: Greenlet = greenlet(function* b() {
          const v = yield* c.switch();
          trace.push(`b got ${String(v)}`);
          yield* sleep(20);
          trace.push(`b woke at ${loop.time()}`);
          yield* main.switch("from b");
        });
        const a = greenlet(function* a() {
          yield* b.switch();
          trace.push("never: a stays suspended");
        });
        trace.push(`main got ${String(yield* a.switch())} at ${loop.time()}`);
        trace.push(`main got ${String(yield* c.switch("to c"))} at ${loop.time()}`);
        trace.push(`a ${a.active} b ${b.active} c ${c.dead}`);
      }, opts);
      expect(trace).toEqual([
        "c runs, current is c: <Greenlet c running>",
        "c woke at 30",
        "b got from c",
        "b woke at 50",
        "main got from b at 50",
        "c got to c",
        "main got c done at 50",
        "a true b true c true",
      ]);
    });

    test("a cancel lands three hosts deep; the exception goes to the parent past the hosts", async () => {
      const trace: string[] = [];
      await run(function* () {
        const worker = createTask(function* () {
          const deep = greenlet(function* deep() {
            try {
              yield* sleep(1000);
            } finally {
              trace.push("deep: finally");
            }
          });
          const middle = greenlet(function* middle() {
            try {
              yield* deep.switch();
            } finally {
              trace.push("middle: finally (never: middle stays suspended)");
            }
          });
          const top = greenlet(function* top() {
            yield* middle.switch();
          });
          try {
            yield* top.switch();
          } catch (e) {
            // deep's parent is main (made here): the CancelledError skips top and middle.
            trace.push(`main greenlet caught ${(e as Error).name}`);
            trace.push(`top ${top.active}, middle ${middle.active}, deep dead ${deep.dead}`);
            throw e;
          }
        });
        yield* sleep(10);
        worker.cancel();
        yield* caught(worker);
      }, opts);
      expect(trace).toEqual([
        "deep: finally",
        "main greenlet caught CancelledError",
        "top true, middle true, deep dead true",
      ]);
    });

    test("a greenlet's return goes to its parent when that parent hosts it", async () => {
      // parent made the child, and its switch hosts it: the return comes back right there.
      const result = await run(function* () {
        const parent = greenlet(function* () {
          const child = greenlet(function* (x: number) {
            yield* sleep(5);
            return x * 2;
          });
          const doubled = (yield* child.switch(21)) as number;
          return `parent got ${doubled}, child dead ${child.dead}`;
        });
        return yield* parent.switch();
      }, opts);
      expect(result).toBe("parent got 42, child dead true");
    });

    test("closing the main greenlet's frame closes every host above it, deepest first", async () => {
      const trace: string[] = [];
      await run(function* () {
        const inner = greenlet(function* () {
          try {
            yield* sleep(100);
          } finally {
            trace.push("inner closed");
          }
        });
        const outer = greenlet(function* () {
          try {
            yield* inner.switch();
          } finally {
            trace.push("outer closed");
          }
        });
        const frame = (function* () {
          yield* outer.switch();
        })();
        frame.next(); // down to inner's sleep, through outer's switch
        frame.return(undefined);
        trace.push(`inner dead ${inner.dead}, outer dead ${outer.dead}`);
        trace.push(`current is main: ${getcurrent().parent === null}`);
      }, opts);
      expect(trace).toEqual([
        "inner closed",
        "outer closed",
        "inner dead true, outer dead true",
        "current is main: true",
      ]);
    });
  });

  describe("errors users can cause", () => {
    test("a switch without yield* is reported at the next switch, explaining yield*", async () => {
      const e = await run(function* () {
        const a = greenlet(function* () {});
        const b = greenlet(function* () {});
        a.switch(); // forgot the yield*
        try {
          yield* b.switch();
        } catch (err) {
          return err;
        }
      }, opts);
      expect(e).toBeInstanceOf(GreenletError);
      expect((e as Error).message).toMatch(/never run.*yield\*.*plain function/s);
    });

    test("a switch without yield* in a greenlet, before a kernel wait, is raised there", async () => {
      const e = await run(function* () {
        const other = greenlet(function* () {});
        const careless = greenlet(function* () {
          other.switch(); // forgot the yield*
          return yield* caught(sleep(10));
        });
        return yield* careless.switch();
      }, opts);
      expect(e).toBeInstanceOf(GreenletError);
      expect((e as Error).message).toMatch(/yield\*/);
    });

    test("a greenlet that returns with a switch it never ran fails in its parent", async () => {
      const e = await run(function* () {
        const other = greenlet(function* () {});
        const careless = greenlet(function* () {
          other.switch(); // forgot the yield*
          return "done";
        });
        return yield* caught(careless.switch());
      }, opts);
      expect(e).toBeInstanceOf(GreenletError);
    });

    test("`yield gr.switch()` without the star is a GreenletError in a greenlet", async () => {
      const e = await run(function* () {
        const other = greenlet(function* () {});
        const careless = greenlet(function* () {
          try {
            yield other.switch() as unknown as Instruction;
          } catch (err) {
            return err;
          }
        });
        return yield* careless.switch();
      }, opts);
      expect(e).toBeInstanceOf(GreenletError);
      expect((e as Error).message).toMatch(/yield\* gr\.switch/);
    });

    test("`yield gr.switch()` without the star in the main greenlet: the kernel says yield*", async () => {
      const e = await run(function* () {
        try {
          yield greenlet(function* () {}).switch() as unknown as Instruction;
        } catch (err) {
          return err;
        }
      }, opts);
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/yield\*/);
    });

    test("a plain function is refused when the greenlet starts, in its parent", async () => {
      const e = await run(function* () {
        const plain = greenlet((() => 42) as unknown as () => Generator);
        return yield* caught(plain.switch());
      }, opts);
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/generator function \(function\*\).*plain function/s);
    });

    test("an async function is refused too", async () => {
      const e = await run(function* () {
        const asyncFn = greenlet((async () => 1) as unknown as () => Generator);
        return yield* caught(asyncFn.switch());
      }, opts);
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/returned a Promise/);
    });

    test("switching to a greenlet of another task is a GreenletError naming both tasks", async () => {
      const e = await run(function* () {
        let theirs: Greenlet | null = null;
        const release = new Event();
        const owner = createTask(
          function* () {
            theirs = greenlet(function* () {});
            yield* release.wait();
          },
          { name: "owner" },
        );
        yield* sleep(1);
        const intruder = createTask(
          function* () {
            try {
              yield* theirs!.switch();
            } catch (err) {
              return err;
            }
          },
          { name: "intruder" },
        );
        const err = yield* intruder;
        release.set();
        yield* owner;
        return err;
      }, opts);
      expect(e).toBeInstanceOf(GreenletError);
      expect((e as Error).message).toMatch(/task owner.*caller is task intruder/);
    });

    test("switching to a greenlet of a task on another loop says so", async () => {
      const loopA = newEventLoop(opts);
      const loopB = newEventLoop(opts);
      try {
        let theirs: Greenlet | null = null;
        const release = new Event();
        const holder = loopA.createTask(function* () {
          theirs = greenlet(function* () {});
          yield* release.wait();
        });
        await loopA.runUntilComplete(sleep(1)); // holder runs, then waits
        const e = await loopB.runUntilComplete(function* () {
          try {
            yield* theirs!.switch();
          } catch (err) {
            return err;
          }
        });
        expect(e).toBeInstanceOf(GreenletError);
        expect((e as Error).message).toMatch(/on another event loop/);
        release.set();
        await loopA.runUntilComplete(holder);
      } finally {
        loopA.close();
        loopB.close();
      }
    });

    test("a switch made in one task and run in another is refused", async () => {
      const e = await run(function* () {
        const g = greenlet(function* () {});
        return yield* caught(createTask(g.switch()));
      }, opts);
      expect(e).toBeInstanceOf(GreenletError);
      expect((e as Error).message).toMatch(/run in another task/);
    });

    test("a switch run twice is refused", async () => {
      const e = await run(function* () {
        const main = getcurrent();
        const g = greenlet(function* () {
          for (;;) yield* main.switch();
        });
        const op = g.switch();
        yield* op;
        return yield* caught(op);
      }, opts);
      expect(e).toBeInstanceOf(GreenletError);
      expect((e as Error).message).toMatch(/already run/);
    });

    test("getcurrent() and switch() outside any task are GreenletErrors", () => {
      expect(() => getcurrent()).toThrow(GreenletError);
      const g = greenlet(function* () {});
      expect(() => g.switch()).toThrow(/needs a running task/);
      expect(() => g.throw()).toThrow(GreenletError);
    });

    test("a parent must be a greenlet of the same task", async () => {
      await run(function* () {
        const g = greenlet(function* () {});
        expect(() => {
          g.parent = {} as Greenlet;
        }).toThrow(TypeError);
        const mine = getcurrent();
        const theirs = yield* createTask(function* () {
          const t = greenlet(function* () {
            yield* getcurrent().parent!.switch();
          });
          yield* t.switch();
          return t;
        });
        yield* sleep(0);
        const started = greenlet(function* () {
          yield* mine.switch();
        });
        yield* started.switch();
        expect(() => {
          started.parent = theirs;
        }).toThrow(InvalidParentError);
      }, opts);
    });

    test("run can be set before the start only", async () => {
      await run(function* () {
        const g = new Greenlet();
        expect(g.run).toBeUndefined();
        g.run = function* () {
          return "set later";
        };
        expect(typeof g.run).toBe("function");
        expect(yield* g.switch()).toBe("set later");
        expect(g.run).toBeUndefined();
        expect(() => {
          g.run = function* () {};
        }).toThrow(TypeError);
        expect(() => greenlet(42 as unknown as () => Generator)).toThrow(TypeError);
      }, opts);
    });

    test("a greenlet without a run function fails in its parent", async () => {
      const e = await run(function* () {
        return yield* caught(new Greenlet().switch());
      }, opts);
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/no run function/);
    });
  });

  describe("binding, introspection and states", () => {
    test("getcurrent() in a task is its main greenlet, one per task", async () => {
      await run(function* () {
        // Greenlets are compared with ===: vitest's messages inspect their objects, and
        // inspecting a running task's Task (an iterable) would iterate it.
        const main = getcurrent();
        expect(getcurrent() === main).toBe(true);
        expect(main.parent).toBeNull();
        expect(main.dead).toBe(false);
        expect(main.active).toBe(true);
        expect(String(main)).toBe("<Greenlet main of task main running>");
        const other = yield* createTask(function* () {
          return getcurrent();
        });
        expect(other === main).toBe(false);
        expect(other.dead).toBe(true); // its task has finished
      }, opts);
    });

    test("states: unstarted, running, suspended, dead", async () => {
      await run(function* () {
        const main = getcurrent();
        const seen: string[] = [];
        const g = greenlet(function* work() {
          seen.push(String(getcurrent()), String(main));
          yield* main.switch();
        });
        seen.push(String(g), `${g.active} ${g.dead}`);
        yield* g.switch();
        seen.push(String(g), `${g.active} ${g.dead}`);
        yield* g.switch();
        seen.push(String(g), `${g.active} ${g.dead}`);
        expect(seen).toEqual([
          "<Greenlet work unstarted>",
          "false false",
          "<Greenlet work running>",
          "<Greenlet main of task main suspended>",
          "<Greenlet work suspended>",
          "true false",
          "<Greenlet work dead>",
          "false true",
        ]);
      }, opts);
    });

    test("a greenlet made outside any task joins the first task that switches to it", async () => {
      const loose = greenlet(function* (x: number) {
        return x * 2;
      });
      expect(loose.parent).toBeNull();
      const result = await run(function* () {
        const v = yield* loose.switch(21);
        expect(loose.parent === getcurrent()).toBe(true);
        return v;
      }, opts);
      expect(result).toBe(42);
    });

    test("kill semantics: GreenletExit returns to the killer, finally blocks run", async () => {
      const trace: string[] = [];
      await run(function* () {
        const main = getcurrent();
        const g = greenlet(function* () {
          try {
            yield* main.switch();
          } finally {
            trace.push("finally");
          }
        });
        yield* g.switch();
        const v = yield* g.throw();
        trace.push(`${(v as Error).name} ${v instanceof GreenletExit} dead ${g.dead}`);
      }, opts);
      expect(trace).toEqual(["finally", "GreenletExit true dead true"]);
    });

    test("closing the main greenlet's frame mid-trampoline closes the running greenlet", async () => {
      const trace: string[] = [];
      await run(function* () {
        const g = greenlet(function* () {
          try {
            yield* sleep(100);
          } finally {
            trace.push("g closed");
          }
        });
        // Drive a frame that hosts the trampoline by hand, then close it.
        const frame = (function* () {
          yield* g.switch();
        })();
        const first = frame.next();
        trace.push(`frame yielded a kernel instruction: ${first.done === false}`);
        frame.return(undefined);
        trace.push(`g dead: ${g.dead}, current is main: ${getcurrent().parent === null}`);
      }, opts);
      expect(trace).toEqual([
        "frame yielded a kernel instruction: true",
        "g closed",
        "g dead: true, current is main: true",
      ]);
    });
  });
});
