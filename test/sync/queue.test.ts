// Queue: FIFO order, bounded put/get with hand-off to waiters, the nowait forms, taskDone
// and join, bad input, and cancellation safety (no item lost, none delivered twice).

import { describe, expect, test } from "vitest";
import {
  DeadlockError,
  Queue,
  QueueEmpty,
  QueueFull,
  TimeoutError,
  createTask,
  currentTask,
  getRunningLoop,
  run,
  sleep,
  timeoutAt,
  waitFor,
} from "../../src/index.js";
import { printer, referenceTrace } from "../reference/trace.js";
import { errName, turns } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  const opts = { core, clock: "virtual" } as const;

  test("gives items back in the order they were put, and reports its size", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<string>(3);
      trace.push(`maxsize ${q.maxsize} empty ${q.empty()} full ${q.full()} size ${q.qsize()}`);
      yield* q.put("a");
      q.putNowait("b");
      yield* q.put("c");
      trace.push(`empty ${q.empty()} full ${q.full()} size ${q.qsize()}`);
      trace.push(yield* q.get());
      trace.push(q.getNowait());
      trace.push(yield* q.get());
      trace.push(`empty ${q.empty()} full ${q.full()} size ${q.qsize()}`);
    }, opts);
    expect(trace).toEqual([
      "maxsize 3 empty true full false size 0",
      "empty false full true size 3",
      "a",
      "b",
      "c",
      "empty true full false size 0",
    ]);
  });

  test("an unbounded queue is never full", async () => {
    await run(function* () {
      const q = new Queue<number>();
      for (let i = 0; i < 10_000; i++) q.putNowait(i);
      expect([q.maxsize, q.full(), q.qsize()]).toEqual([0, false, 10_000]);
      let sum = 0;
      while (!q.empty()) sum += yield* q.get();
      expect(sum).toBe((9_999 * 10_000) / 2);
    }, opts);
  });

  test("putNowait on a full queue throws QueueFull, getNowait on an empty one QueueEmpty", async () => {
    await run(function* () {
      const q = new Queue<number>({ maxsize: 1 });
      let error: unknown = null;
      try {
        q.getNowait();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(QueueEmpty);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe("QueueEmpty");
      q.putNowait(1);
      expect(() => q.putNowait(2)).toThrow(QueueFull);
      expect(() => q.putNowait(2)).toThrow(/full \(maxsize 1\)/);
      expect(q.getNowait()).toBe(1);
      expect(q.statistics().unfinishedTasks).toBe(1); // the failed put did not count
      yield* turns(0);
    }, opts);
  });

  test("hands items to waiting getters in FIFO order", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<string>();
      const getter = (name: string) =>
        function* () {
          trace.push(`${name} waits`);
          trace.push(`${name} got ${yield* q.get()}`);
        };
      const tasks = ["a", "b", "c"].map((n) => createTask(getter(n)));
      yield* turns(1);
      expect(q.statistics().tasksWaitingGet).toBe(3);
      q.putNowait("1");
      yield* q.put("2");
      q.putNowait("3");
      trace.push(`size after puts ${q.qsize()}`); // every item went straight to a getter
      for (const t of tasks) yield* t;
    }, opts);
    expect(trace).toEqual([
      "a waits",
      "b waits",
      "c waits",
      "size after puts 3", // items stay queued until each woken getter runs
      "a got 1",
      "b got 2",
      "c got 3",
    ]);
  });

  test("put waits while the queue is full; putters get in, in FIFO order", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<string>(1);
      q.putNowait("x");
      const putter = (item: string) =>
        function* () {
          trace.push(`put ${item} waits`);
          yield* q.put(item);
          trace.push(`put ${item} done`);
        };
      const tasks = ["p", "q", "r"].map((i) => createTask(putter(i)));
      yield* turns(1);
      expect(q.statistics().tasksWaitingPut).toBe(3);
      for (let i = 0; i < 4; i++) {
        trace.push(`get ${yield* q.get()}, size ${q.qsize()}`);
        yield* turns(1);
      }
      for (const t of tasks) yield* t;
    }, opts);
    expect(trace).toEqual([
      "put p waits",
      "put q waits",
      "put r waits",
      "get x, size 0", // p is woken; it puts its item when it runs
      "put p done",
      "get p, size 0",
      "put q done",
      "get q, size 0",
      "put r done",
      "get r, size 0",
    ]);
  });

  test("a getter cancelled while waiting does not lose the next item", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<string>();
      const getter = (name: string) =>
        function* () {
          try {
            trace.push(`${name} got ${yield* q.get()}`);
          } catch (e) {
            trace.push(`${name} ${errName(e)}`);
            throw e;
          }
        };
      const a = createTask(getter("a"));
      const b = createTask(getter("b"));
      yield* turns(1);
      a.cancel();
      yield* turns(1);
      expect(q.statistics().tasksWaitingGet).toBe(1);
      q.putNowait("item");
      yield* b;
      expect([a.cancelled(), q.qsize()]).toEqual([true, 0]);
    }, opts);
    expect(trace).toEqual(["a CancelledError", "b got item"]);
  });

  test("a getter cancelled after a put woke it leaves the item in the queue (asyncio)", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<string>();
      const a = createTask(function* () {
        try {
          trace.push(`a got ${yield* q.get()}`);
        } catch (e) {
          trace.push(`a ${errName(e)} at get()`);
          throw e;
        }
      });
      yield* turns(1);
      q.putNowait("item"); // wakes a; the item stays in the queue …
      a.cancel(); // … and a is cancelled before it ran: the cancel wins
      trace.push(`size ${q.qsize()}`);
      yield* turns(3);
      expect(a.cancelled()).toBe(true);
      trace.push(`size ${q.qsize()}, got ${q.getNowait()}`);
    }, opts);
    expect(trace).toEqual(["size 1", "a CancelledError at get()", "size 1, got item"]);
  });

  test("a putter cancelled while waiting puts nothing; the next putter gets the slot", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<string>(1);
      q.putNowait("first");
      const putter = (item: string) =>
        function* () {
          try {
            yield* q.put(item);
            trace.push(`put ${item}`);
          } catch (e) {
            trace.push(`put ${item} ${errName(e)}`);
            throw e;
          }
        };
      const a = createTask(putter("a"));
      const b = createTask(putter("b"));
      yield* turns(1);
      a.cancel();
      yield* turns(1);
      trace.push(`got ${q.getNowait()}`);
      yield* b;
      trace.push(
        `got ${q.getNowait()}, size ${q.qsize()}, unfinished ${q.statistics().unfinishedTasks}`,
      );
    }, opts);
    expect(trace).toEqual([
      "put a CancelledError",
      "got first",
      "put b",
      "got b, size 0, unfinished 2",
    ]);
  });

  test("a putter cancelled after a get woke it puts nothing; the slot stays free", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<string>(1);
      q.putNowait("first");
      const a = createTask(function* () {
        yield* q.put("a");
        trace.push("put a returned");
      });
      yield* turns(1);
      trace.push(`got ${q.getNowait()}`); // wakes a …
      a.cancel(); // … and a is cancelled before it ran
      yield* turns(2);
      trace.push(`a cancelled ${a.cancelled()}, size ${q.qsize()}, full ${q.full()}`);
    }, opts);
    expect(trace).toEqual(["got first", "a cancelled true, size 0, full false"]);
  });

  test("waitFor(q.get(), ms) times out, leaves no getter, and a later item stays queued", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<string>();
      try {
        yield* waitFor(q.get(), 10);
      } catch (e) {
        trace.push(`${errName(e)} ${e instanceof TimeoutError}`);
      }
      expect(q.statistics().tasksWaitingGet).toBe(0);
      q.putNowait("late");
      trace.push(`size ${q.qsize()}`);
      trace.push(`got ${yield* waitFor(q.get(), 10)}`);
    }, opts);
    expect(trace).toEqual(["TimeoutError true", "size 1", "got late"]);
  });

  test("an item put in the instant the timeout fires stays in the queue (asyncio)", async () => {
    // test/reference/asyncio/queue_get_timeout_race.py, on the virtual clock.
    const { lines, print } = printer();
    await run(function* () {
      const q = new Queue<string>();
      const loop = getRunningLoop()!;
      const me = currentTask()!;
      const start = loop.time();
      loop.callAt(start + 50, () => q.putNowait("just in time")); // due first
      try {
        yield* timeoutAt(start + 50, function* () {
          createTask(function* () {
            loop.callAt(start + 50, () => print("timeout fired, cancelling", me.cancelling()));
          });
          print("got", yield* q.get());
        });
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        print("TimeoutError");
      }
      print("size", q.qsize(), "got", q.getNowait());
    }, opts);
    expect(lines).toEqual(referenceTrace("asyncio", "queue_get_timeout_race"));
  });

  test("waitFor(q.put(x), ms) on a full queue times out without putting x", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<string>(1);
      q.putNowait("a");
      try {
        yield* waitFor(q.put("b"), 10);
      } catch (e) {
        trace.push(errName(e));
      }
      const s = q.statistics();
      trace.push(`size ${s.qsize}, putters ${s.tasksWaitingPut}, unfinished ${s.unfinishedTasks}`);
    }, opts);
    expect(trace).toEqual(["TimeoutError", "size 1, putters 0, unfinished 1"]);
  });

  test("join waits until taskDone was called once per item put", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<number>();
      yield* q.join(); // nothing put: returns at once
      trace.push("empty join returned");
      const worker = createTask(function* () {
        for (;;) {
          const n = yield* q.get();
          yield* sleep(n);
          trace.push(`done ${n}`);
          q.taskDone();
        }
      });
      for (const n of [5, 10, 15]) yield* q.put(n);
      const joiners = [1, 2].map((i) =>
        createTask(function* () {
          yield* q.join();
          trace.push(`join ${i} returned`);
        }),
      );
      yield* turns(1);
      expect(q.statistics()).toMatchObject({ unfinishedTasks: 3, tasksWaitingJoin: 2 });
      for (const j of joiners) yield* j;
      trace.push(`unfinished ${q.statistics().unfinishedTasks}`);
      worker.cancel();
    }, opts);
    expect(trace).toEqual([
      "empty join returned",
      "done 5",
      "done 10",
      "done 15",
      "join 1 returned",
      "join 2 returned",
      "unfinished 0",
    ]);
  });

  test("items handed straight to a getter count for join too", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<string>();
      const getter = createTask(q.get());
      yield* turns(1);
      q.putNowait("x"); // to the getter, never stored
      trace.push(`unfinished ${q.statistics().unfinishedTasks}`);
      trace.push(`getter got ${yield* getter}`);
      q.taskDone();
      yield* q.join();
      trace.push("joined");
    }, opts);
    expect(trace).toEqual(["unfinished 1", "getter got x", "joined"]);
  });

  test("taskDone called more times than items were put throws RangeError", async () => {
    await run(function* () {
      const q = new Queue<number>();
      expect(() => q.taskDone()).toThrow(RangeError);
      q.putNowait(1);
      q.getNowait();
      q.taskDone();
      expect(() => q.taskDone()).toThrow(/more times than items were put/);
      yield* q.join();
    }, opts);
  });

  test("a cancelled join leaves no joiner behind", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new Queue<number>();
      q.putNowait(1);
      try {
        yield* waitFor(q.join(), 10);
      } catch (e) {
        trace.push(errName(e));
      }
      expect(q.statistics().tasksWaitingJoin).toBe(0);
      q.getNowait();
      q.taskDone();
      yield* q.join();
      trace.push("joined");
    }, opts);
    expect(trace).toEqual(["TimeoutError", "joined"]);
  });

  test("waiting forever on an empty queue is reported as a deadlock and leaves no getter", async () => {
    const q = new Queue<number>();
    await expect(
      run(function* () {
        return yield* q.get();
      }, opts),
    ).rejects.toBeInstanceOf(DeadlockError);
    expect(q.statistics().tasksWaitingGet).toBe(0);
  });

  test("rejects a bad maxsize or options with a clear error", async () => {
    await run(function* () {
      expect(() => new Queue(-1)).toThrow(RangeError);
      expect(() => new Queue(2.5)).toThrow(/maxsize must be an integer >= 0/);
      expect(() => new Queue(Infinity)).toThrow(RangeError);
      expect(() => new Queue(Number.NaN)).toThrow(TypeError);
      expect(() => new Queue({ maxsize: "3" } as never)).toThrow(/maxsize must be a number/);
      expect(() => new Queue("3" as never)).toThrow(TypeError);
      expect(() => new Queue(null as never)).toThrow(TypeError);
      expect(() => new Queue({ maxSize: 3 } as never)).toThrow(/no option "maxSize"/);
      expect(new Queue({}).maxsize).toBe(0);
      expect(new Queue(0).full()).toBe(false);
      yield* turns(0);
    }, opts);
  });
});
