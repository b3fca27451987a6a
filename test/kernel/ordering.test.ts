// Deterministic ordering, as asyncio: callSoon is FIFO, timers fire by (deadline, arming
// order), tasks woken in one tick run in wake order, and a tick runs only what was ready
// when it began. The last test runs one program on both cores and compares the traces.

import { describe, expect, it } from "vitest";
import {
  CancelledError,
  FIRST_COMPLETED,
  createTask,
  gather,
  getEventLoop,
  run,
  sleep,
  suspend,
  timeout,
  wait,
  waitFor,
  type Waker,
} from "../../src/index.js";
import { virtualLoop, type CoreName } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  it("runs callSoon callbacks in FIFO order, with their arguments", async () => {
    const { loop, reports } = virtualLoop(core);
    const trace: string[] = [];
    for (const name of ["a", "b", "c", "d"])
      loop.callSoon((who: string, n: number) => void trace.push(`${who}${n}`), name, name.length);
    await loop.runUntilComplete(sleep(1));
    expect(trace).toEqual(["a1", "b1", "c1", "d1"]);
    expect(reports).toEqual([]);
    loop.close();
  });

  it("fires timers by deadline, and equal deadlines in arming order, sleeps and callbacks alike", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const at = (what: string) => () => void trace.push(`${what}@${loop.time()}`);
    await loop.runUntilComplete(function* () {
      loop.callLater(20, at("cb20-first"));
      loop.callLater(10, at("cb10-first"));
      // The task arms its sleep when it first runs: after every callback armed below.
      createTask(function* () {
        yield* sleep(10);
        at("task10")();
      });
      loop.callAt(10, at("cb10-second"));
      loop.callLater(20, at("cb20-second"));
      loop.callLater(15, at("cb15"));
      yield* sleep(30);
    });
    expect(trace).toEqual([
      "cb10-first@10",
      "cb10-second@10",
      "task10@10",
      "cb15@15",
      "cb20-first@20",
      "cb20-second@20",
    ]);
    loop.close();
  });

  it("fires 600 timers with colliding deadlines in (deadline, arming order) order", async () => {
    const { loop } = virtualLoop(core);
    // A small deterministic PRNG (mulberry32): the test is the same on every run.
    let seed = 0x5eed;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const fired: number[] = [];
    const armed: Array<{ n: number; delay: number }> = [];
    await loop.runUntilComplete(function* () {
      for (let n = 0; n < 600; n++) {
        const delay = Math.floor(random() * 20); // 20 distinct deadlines: many ties
        armed.push({ n, delay });
        if (n % 2 === 0) loop.callLater(delay, () => void fired.push(n));
        else
          createTask(function* () {
            yield* sleep(delay);
            fired.push(n);
          });
      }
      yield* sleep(100);
    });
    // Tasks arm their sleep when they first run, after every callback armed here:
    // within a deadline, callbacks come first (in order), then tasks (in order).
    const expected = [...armed]
      .sort((a, b) => a.delay - b.delay || (a.n % 2) - (b.n % 2) || a.n - b.n)
      .map((x) => x.n);
    expect(fired).toEqual(expected);
    loop.close();
  });

  it("wakes tasks sleeping until the same deadline in the order they went to sleep", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const sleeper = (name: string, ms: number) =>
        createTask(function* () {
          yield* sleep(ms);
          trace.push(`${name}@${loop.time()}`);
        });
      // Created (and so first run, and so armed) in this order: c, a, b, d.
      const tasks = [sleeper("c", 7), sleeper("a", 7), sleeper("b", 7), sleeper("d", 3)];
      yield* gather(...tasks);
    });
    expect(trace).toEqual(["d@3", "c@7", "a@7", "b@7"]);
    loop.close();
  });

  it("runs tasks woken in the same tick in the order they were woken", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const wakers = new Map<string, Waker<string>>();
    await loop.runUntilComplete(function* () {
      const parked = ["a", "b", "c"].map((name) =>
        createTask(function* () {
          const got = yield* suspend<string>((w) => void wakers.set(name, w), { external: false });
          trace.push(`${name} got ${got}`);
        }),
      );
      loop.callLater(5, () => {
        wakers.get("c")!.resume("1");
        wakers.get("a")!.resume("2");
        wakers.get("b")!.resume("3");
      });
      yield* gather(...parked);
    });
    expect(trace).toEqual(["c got 1", "a got 2", "b got 3"]);
    loop.close();
  });

  it("runs in a tick only what was ready when the tick began", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const yielder = (name: string) =>
      function* () {
        for (let i = 0; i < 3; i++) {
          trace.push(`${name}${i}`);
          yield;
        }
      };
    const a = loop.createTask(yielder("a"));
    let n = 0;
    // A callback that re-schedules itself: each copy must wait for the next tick.
    const again = (): void => {
      trace.push(`cb${n}`);
      if (++n < 3) loop.callSoon(again);
    };
    loop.callSoon(again);
    const b = loop.createTask(yielder("b"));
    await loop.runUntilComplete(a);
    expect(trace).toEqual(["a0", "cb0", "b0", "a1", "cb1", "b1", "a2", "cb2", "b2"]);
    expect(b.done()).toBe(true);
    loop.close();
  });

  it("starts new tasks in creation order once their creator gives up the turn", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      createTask(function* () {
        trace.push("x runs");
      });
      createTask(function* () {
        trace.push("y runs");
      });
      trace.push("main created x and y");
      yield;
      trace.push("main resumed");
    });
    expect(trace).toEqual(["main created x and y", "x runs", "y runs", "main resumed"]);
    loop.close();
  });

  it("runs timers that fall due after the callbacks and tasks that were already ready", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      loop.callLater(0, () => void trace.push(`timer@${loop.time()}`));
      loop.callSoon(() => void trace.push("soon"));
      trace.push("main yields");
      yield;
      trace.push("main resumed");
      yield;
      trace.push("main again");
    });
    expect(trace).toEqual(["main yields", "soon", "main resumed", "timer@0", "main again"]);
    loop.close();
  });
});

/** One program that exercises most of the kernel; its trace must not depend on the core. */
function* program(trace: string[]) {
  const loop = getEventLoop();
  const now = () => loop.time();
  function* worker(name: string, n: number) {
    for (let i = 0; i < n; i++) {
      trace.push(`${name}.x ${i}`);
      yield;
    }
    yield* sleep(10);
    trace.push(`${name} slept @${now()}`);
    return name.length;
  }
  loop.callSoon(() => void trace.push("soon"));
  const never = loop.callLater(5, () => void trace.push("never"));
  loop.callLater(5, () => void trace.push(`later @${now()}`));
  never.cancel();
  const sleeper = createTask(
    function* () {
      try {
        yield* sleep(100);
      } finally {
        trace.push(`sleeper finally @${now()}`);
        yield* sleep(1);
        trace.push(`sleeper cleaned up @${now()}`);
      }
    },
    { name: "sleeper" },
  );
  const [a, b] = yield* gather(worker("a", 3), worker("bb", 2));
  trace.push(`gather ${a} ${b} @${now()}`);
  sleeper.cancel("enough");
  try {
    yield* sleeper;
  } catch (e) {
    trace.push(`sleeper ${(e as CancelledError).message} @${now()}`);
  }
  try {
    yield* waitFor(sleep(50), 20);
  } catch (e) {
    trace.push(`${(e as Error).name} @${now()}`);
  }
  const [done, pending] = yield* wait(
    [createTask(sleep(5, "x"), { name: "x" }), createTask(sleep(15, "y"), { name: "y" })],
    { returnWhen: FIRST_COMPLETED },
  );
  trace.push(`done ${[...done].map((t) => t.name)} pending ${[...pending].map((t) => t.name)}`);
  const v = yield* timeout(30, function* () {
    yield* sleep(3);
    return "in time";
  });
  trace.push(`${v} @${now()}`);
  return trace.length;
}

async function traceOn(core: CoreName): Promise<string[]> {
  const trace: string[] = [];
  const n = await run(program(trace), { core, clock: "virtual" });
  expect(n).toBe(trace.length);
  return trace;
}

describe("both cores", () => {
  it("prints the same trace for the same program on the wasm and ts cores", async () => {
    const wasm = await traceOn("wasm");
    const ts = await traceOn("ts");
    expect(ts).toEqual(wasm);
    expect(wasm).toEqual([
      "soon",
      "a.x 0",
      "bb.x 0",
      "a.x 1",
      "bb.x 1",
      "a.x 2",
      "later @5",
      "bb slept @10", // bb ran out of turns first, so armed its timer first
      "a slept @10",
      "gather 1 2 @10",
      "sleeper finally @10",
      "sleeper cleaned up @11",
      "sleeper enough @11",
      "TimeoutError @31",
      "done x pending y",
      "in time @39",
    ]);
  });
});
