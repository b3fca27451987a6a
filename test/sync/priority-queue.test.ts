// PriorityQueue and LifoQueue: ordering (Python's tuple order by default, or `compare`),
// stability among equal keys, errors that leave the queue intact, and their waiters.

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { LifoQueue, PriorityQueue, Queue, createTask, defaultOrder, run } from "../../src/index.js";
import { errName, turns } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  const opts = { core, clock: "virtual" } as const;

  /** Takes every item out with getNowait. */
  function drain<T>(q: Queue<T>): T[] {
    const out: T[] = [];
    while (!q.empty()) out.push(q.getNowait());
    return out;
  }

  test("hands out the smallest item first", async () => {
    await run(function* () {
      const q = new PriorityQueue<number>();
      for (const n of [5, 1, 4, 1, 5, 9, 2, 6, 5, 3]) yield* q.put(n);
      const out: number[] = [];
      while (!q.empty()) out.push(yield* q.get());
      expect(out).toEqual([1, 1, 2, 3, 4, 5, 5, 5, 6, 9]);
    }, opts);
  });

  test("orders arrays like Python tuples: element by element, a prefix first", async () => {
    await run(function* () {
      const q = new PriorityQueue<unknown[]>();
      const items = [[2, "b"], [1, "z"], [1, "a"], [1], [0, "x", "y"], [1, "a", 0], []];
      for (const it of items) q.putNowait(it);
      expect(drain(q)).toEqual([[], [0, "x", "y"], [1], [1, "a"], [1, "a", 0], [1, "z"], [2, "b"]]);
      yield* turns(0);
    }, opts);
  });

  test("orders strings, bigints with numbers, booleans and Dates", async () => {
    await run(function* () {
      const words = new PriorityQueue<string>();
      for (const w of ["pear", "apple", "Zebra", "fig"]) words.putNowait(w);
      expect(drain(words)).toEqual(["Zebra", "apple", "fig", "pear"]);
      const nums = new PriorityQueue<number | bigint>();
      for (const n of [3n, 2.5, -1, 10n, 0]) nums.putNowait(n);
      expect(drain(nums)).toEqual([-1, 0, 2.5, 3n, 10n]);
      expect([defaultOrder(false, true), defaultOrder(true, false), defaultOrder(1, 1n)]).toEqual([
        -1, 1, 0,
      ]);
      const dates = new PriorityQueue<Date>();
      for (const t of [300, 100, 200]) dates.putNowait(new Date(t));
      expect(drain(dates).map((d) => d.getTime())).toEqual([100, 200, 300]);
      yield* turns(0);
    }, opts);
  });

  test("equal keys come out in the order they were put", async () => {
    await run(function* () {
      type Job = { p: number; name: string };
      const q = new PriorityQueue<Job>({ compare: (a, b) => a.p - b.p });
      const jobs = ["a", "b", "c", "d", "e", "f", "g", "h"].map((name, i) => ({ p: i % 3, name }));
      for (const j of jobs) q.putNowait(j);
      expect(drain(q).map((j) => `${j.p}${j.name}`)).toEqual([
        "0a",
        "0d",
        "0g",
        "1b",
        "1e",
        "1h",
        "2c",
        "2f",
      ]);
      // [priority, data] where data is the same value: a tie, kept FIFO
      const shared = { id: 1 };
      const t = new PriorityQueue<[number, object, string]>();
      t.putNowait([1, shared, "first"]);
      t.putNowait([1, shared, "second"]);
      expect(drain(t).map((x) => x[2])).toEqual(["first", "second"]);
      yield* turns(0);
    }, opts);
  });

  test("keys it cannot order throw a TypeError and leave the queue as it was", async () => {
    await run(function* () {
      const q = new PriorityQueue<[number, object]>();
      q.putNowait([1, { a: 1 }]);
      expect(() => q.putNowait([1, { b: 2 }])).toThrow(/cannot order an object/);
      expect(q.statistics()).toMatchObject({ qsize: 1, unfinishedTasks: 1 });
      // Two items never compared with each other meet during a get: it throws, and undoes.
      q.putNowait([2, { c: 3 }]);
      q.putNowait([2, { d: 4 }]);
      expect(() => q.getNowait()).toThrow(TypeError);
      expect(q.qsize()).toBe(3);
      expect(() => new PriorityQueue<number>().putNowait(Number.NaN)).not.toThrow(); // alone
      const n = new PriorityQueue<number>();
      n.putNowait(1);
      expect(() => n.putNowait(Number.NaN)).toThrow(/cannot order NaN/);
      const mixed = new PriorityQueue<unknown>();
      mixed.putNowait(1);
      expect(() => mixed.putNowait("1")).toThrow(/cannot order "1" against 1 \(a number\)/);
      yield* turns(0);
    }, opts);
  });

  test("a compare that throws mid-sift leaves the heap intact", async () => {
    await run(function* () {
      let fail = false;
      const q = new PriorityQueue<number>({
        compare: (a, b) => {
          if (fail) throw new Error("compare failed");
          return a - b;
        },
      });
      for (const n of [8, 3, 5, 1, 9, 2, 7]) q.putNowait(n);
      fail = true;
      expect(() => q.getNowait()).toThrow("compare failed");
      expect(() => q.putNowait(0)).toThrow("compare failed");
      fail = false;
      expect(drain(q)).toEqual([1, 2, 3, 5, 7, 8, 9]);
      yield* turns(0);
    }, opts);
  });

  test("rejects a bad compare option and a bad compare result", async () => {
    await run(function* () {
      expect(() => new PriorityQueue({ compare: 1 as never })).toThrow(
        /compare must be a function/,
      );
      expect(() => new PriorityQueue({ cmp: () => 0 } as never)).toThrow(/no option "cmp"/);
      expect(() => new PriorityQueue(-2)).toThrow(RangeError);
      const q = new PriorityQueue<number>({ compare: () => "less" as never });
      q.putNowait(1);
      expect(() => q.putNowait(2)).toThrow(/must return a number/);
      expect(new PriorityQueue(4).maxsize).toBe(4);
      expect(() => new LifoQueue({ compare: () => 0 } as never)).toThrow(/no option "compare"/);
      yield* turns(0);
    }, opts);
  });

  test("a bounded PriorityQueue admits waiting putters into the heap by priority", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new PriorityQueue<number>(2);
      q.putNowait(50);
      q.putNowait(40);
      const putters = [30, 10, 20].map((n) =>
        createTask(function* () {
          yield* q.put(n);
          trace.push(`put ${n}`);
        }),
      );
      yield* turns(1);
      const got: number[] = [];
      for (let i = 0; i < 5; i++) {
        got.push(yield* q.get());
        yield* turns(1);
      }
      for (const p of putters) yield* p;
      trace.push(`got ${got.join(" ")}`);
    }, opts);
    // 40 out; 30 in → 30 out; 10 in → 10 out; 20 in → 20 out; 50 out.
    expect(trace).toEqual(["put 30", "put 10", "put 20", "got 40 30 10 20 50"]);
  });

  test("a waiting putter whose item cannot be ordered gets the error; the next putter gets in", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new PriorityQueue<unknown>(2);
      q.putNowait(0);
      q.putNowait(1);
      const putter = (item: unknown) =>
        createTask(function* () {
          try {
            yield* q.put(item);
            trace.push(`put ${String(item)}`);
          } catch (e) {
            trace.push(`put ${String(item)} ${errName(e)}`);
          }
        });
      const a = putter("str");
      const b = putter(5);
      yield* turns(1);
      trace.push(`got ${q.getNowait()}`);
      yield* a;
      yield* b;
      trace.push(`left ${drain(q).join(" ")}`);
    }, opts);
    expect(trace).toEqual(["got 0", "put str TypeError", "put 5", "left 1 5"]);
  });

  test("getters waiting on a PriorityQueue are served in FIFO order, each taking the best item present", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new PriorityQueue<number>();
      const getters = ["a", "b"].map((name) =>
        createTask(function* () {
          trace.push(`${name} got ${yield* q.get()}`);
        }),
      );
      yield* turns(1);
      q.putNowait(9);
      q.putNowait(1);
      for (const g of getters) yield* g;
    }, opts);
    // asyncio: items stay in the heap until a woken getter runs, so a takes the best one.
    expect(trace).toEqual(["a got 1", "b got 9"]);
  });

  test("LifoQueue hands out the newest item first and is a Queue", async () => {
    const trace: string[] = [];
    await run(function* () {
      const q = new LifoQueue<number>(2);
      expect(q).toBeInstanceOf(Queue);
      expect(new PriorityQueue()).toBeInstanceOf(Queue);
      q.putNowait(1);
      q.putNowait(2);
      const p = createTask(function* () {
        yield* q.put(3);
        trace.push("put 3");
      });
      yield* turns(1);
      trace.push(`got ${yield* q.get()}`); // 2; then 3 goes on top
      yield* p;
      trace.push(`got ${q.getNowait()}`);
      trace.push(`got ${q.getNowait()}`);
      const g = createTask(function* () {
        trace.push(`getter got ${yield* q.get()}`);
      });
      yield* turns(1);
      q.putNowait(4);
      yield* g;
      q.putNowait(5);
      q.taskDone();
      trace.push(`unfinished ${q.statistics().unfinishedTasks}`);
    }, opts);
    expect(trace).toEqual(["got 2", "put 3", "got 3", "got 1", "getter got 4", "unfinished 4"]);
  });

  test("PriorityQueue matches a stable sort under random puts, gets and failing compares", async () => {
    await run(function* () {
      const op = fc.oneof(
        fc.record({ kind: fc.constant("put" as const), key: fc.integer({ min: 0, max: 6 }) }),
        fc.record({ kind: fc.constant("get" as const) }),
        fc.record({ kind: fc.constant("fail" as const) }),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
          let failNext = false;
          const q = new PriorityQueue<{ key: number; seq: number }>({
            compare: (a, b) => {
              if (failNext) throw new Error("injected");
              return a.key - b.key;
            },
          });
          let model: { key: number; seq: number }[] = [];
          let seq = 0;
          for (const o of ops) {
            if (o.kind === "fail") {
              failNext = true;
              continue;
            }
            const injected = failNext;
            try {
              if (o.kind === "put") {
                const item = { key: o.key, seq: seq++ };
                q.putNowait(item);
                model.push(item);
              } else if (model.length > 0) {
                const got = q.getNowait();
                const best = model.reduce((m, x) => (x.key < m.key ? x : m));
                expect(got).toBe(best);
                model = model.filter((x) => x !== best);
              }
            } catch (e) {
              // only an injected failure may throw, and only when a comparison was needed
              expect(injected).toBe(true);
              expect((e as Error).message).toBe("injected");
            }
            failNext = false;
            expect(q.qsize()).toBe(model.length);
          }
          failNext = false;
          model.sort((a, b) => a.key - b.key || a.seq - b.seq);
          expect(drain(q)).toEqual(model);
        }),
        { numRuns: 150 },
      );
      yield* turns(0);
    }, opts);
  });
});
