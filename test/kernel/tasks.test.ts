// Tasks: generator coroutines scheduled on a loop (asyncio.Task), the bare-yield turn,
// `yield* op`, what a coroutine may yield, and the Task surface (result, exception,
// done callbacks, names, currentTask, allTasks, thenable).

import { describe, expect, it } from "vitest";
import {
  InvalidStateError,
  Task,
  allTasks,
  createTask,
  currentTask,
  sleep,
  type Coroutine,
} from "../../src/index.js";
import { errText, virtualLoop } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  it("does not run a task's body until its creator gives up the turn", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(function* () {
        trace.push("child body");
        return 1;
      });
      trace.push(`created, done=${t.done()}`);
      const v = yield* t;
      trace.push(`child returned ${v}`);
    });
    expect(trace).toEqual(["created, done=false", "child body", "child returned 1"]);
    loop.close();
  });

  it("gives the turn round-robin with a bare yield", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    function* worker(name: string, n: number) {
      for (let i = 0; i < n; i++) {
        trace.push(`${name}${i}`);
        yield;
      }
      return n;
    }
    await loop.runUntilComplete(function* () {
      const ts = [
        createTask(worker("a", 3)),
        createTask(worker("b", 2)),
        createTask(worker("c", 3)),
      ];
      const out: number[] = [];
      for (const t of ts) out.push(yield* t);
      trace.push(`results ${out.join(",")}`);
    });
    expect(trace).toEqual(["a0", "b0", "c0", "a1", "b1", "c1", "a2", "c2", "results 3,2,3"]);
    expect(loop.time()).toBe(0);
    loop.close();
  });

  it("returns an operation's result from yield*, and a task's result from yield* task", async () => {
    const { loop } = virtualLoop(core);
    const v = await loop.runUntilComplete(function* () {
      const a = yield* sleep(10, "slept");
      function* sub(x: number) {
        yield;
        return x * 2;
      }
      const b = yield* sub(21);
      const c = yield* createTask(sub(50));
      return [a, b, c, loop.time()];
    });
    expect(v).toEqual(["slept", 42, 100, 10]);
    loop.close();
  });

  it("throws a TypeError into a coroutine that yields something other than an instruction", async () => {
    const { loop, reports } = virtualLoop(core);
    const messages = await loop.runUntilComplete(function* (): Generator<
      unknown,
      string[],
      unknown
    > {
      const got: string[] = [];
      const other = createTask(sleep(1), { name: "other" });
      const values: unknown[] = [
        42,
        "hello",
        null,
        Promise.resolve(1),
        other,
        (function* () {})(),
        [1, 2],
      ];
      for (const v of values) {
        try {
          yield v;
          got.push("no error");
        } catch (e) {
          got.push(e instanceof TypeError ? e.message : `wrong error ${errText(e)}`);
        }
      }
      yield* other as unknown as Generator<unknown, void, unknown>;
      return got;
    } as unknown as () => Coroutine<string[]>);
    const what = messages.map(
      (m) => /yielded (.*), which the kernel does not understand/.exec(m)?.[1],
    );
    expect(what).toEqual([
      "42 (a number)",
      '"hello"',
      "null",
      "a Promise (thenable)",
      "a thenable of class Task",
      "a generator object",
      "an object of class Array",
    ]);
    // The message names the task and says what to do instead.
    expect(messages[0]).toMatch(/coroutine Task-\d+ yielded/);
    expect(messages[0]).toContain("yield*");
    expect(reports).toEqual([]);
    loop.close();
  });

  it("throws a TypeError for an operation yielded without the star", async () => {
    const { loop } = virtualLoop(core);
    const got = await loop.runUntilComplete(function* (): Generator<unknown, string, unknown> {
      try {
        const v = yield sleep(10, "v");
        return `no error: got ${String(v)} @${loop.time()}`;
      } catch (e) {
        return `${(e as Error).name} @${loop.time()}`;
      }
    } as unknown as () => Coroutine<string>);
    expect(got).toBe("TypeError @0");
    loop.close();
  });

  it("fails a task whose coroutine yields a non-instruction and does not catch the TypeError", async () => {
    const { loop } = virtualLoop(core);
    const t = loop.createTask(
      function* (): Generator<unknown, void, unknown> {
        yield 7;
      } as unknown as () => Coroutine<void>,
      { name: "yields-seven" },
    );
    await expect(loop.runUntilComplete(t)).rejects.toThrow(
      /coroutine yields-seven yielded 7 \(a number\)/,
    );
    expect(t.exception()).toBeInstanceOf(TypeError);
    loop.close();
  });

  it("names tasks Task-N unless given a name", async () => {
    const { loop } = virtualLoop(core);
    const a = loop.createTask(sleep(1));
    const b = loop.createTask(sleep(1), { name: "fetcher" });
    expect(a.name).toMatch(/^Task-\d+$/);
    expect(b.name).toBe("fetcher");
    expect(String(b)).toBe("<Task fetcher ready>");
    await loop.runUntilComplete(b);
    expect(String(b)).toBe("<Task fetcher done>");
    loop.close();
  });

  it("refuses result() and exception() before the task is done (InvalidStateError)", async () => {
    const { loop } = virtualLoop(core);
    const t = loop.createTask(sleep(10, "v"), { name: "pending-one" });
    expect(() => t.result()).toThrow(InvalidStateError);
    expect(() => t.result()).toThrow("task pending-one is not done");
    expect(() => t.exception()).toThrow(InvalidStateError);
    expect(t.done()).toBe(false);
    await loop.runUntilComplete(t);
    expect(t.done()).toBe(true);
    expect(t.result()).toBe("v");
    expect(t.exception()).toBe(null);
    expect(t.cancelled()).toBe(false);
    loop.close();
  });

  it("rethrows a failed task's error from result() and yield*, and returns it from exception()", async () => {
    const { loop, reports } = virtualLoop(core);
    const boom = new Error("boom");
    const seen = await loop.runUntilComplete(function* () {
      const t = createTask(function* () {
        yield* sleep(3);
        throw boom;
      });
      try {
        yield* t;
        return "no error";
      } catch (e) {
        return [e === boom, t.exception() === boom, t.cancelled(), loop.time()];
      }
    });
    expect(seen).toEqual([true, true, false, 3]);
    expect(reports).toEqual([]);
    loop.close();
  });

  it("calls done callbacks with the task, soon after it finishes, in registration order", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const t = createTask(sleep(5, "five"), { name: "t" });
      const removed = (): void => void trace.push("removed callback ran");
      t.addDoneCallback((task) => void trace.push(`first: ${task.name} ${task.result()}`));
      t.addDoneCallback(removed);
      t.addDoneCallback((task) => void trace.push(`second: done=${task.done()}`));
      t.addDoneCallback(removed);
      expect(t.removeDoneCallback(removed)).toBe(2);
      expect(t.removeDoneCallback(removed)).toBe(0);
      yield* t;
      trace.push(`waiter resumed@${loop.time()}`);
      yield;
      // On a finished task, the callback is still called soon, not synchronously.
      t.addDoneCallback(() => void trace.push("late"));
      trace.push("late added");
      yield;
    });
    // Registered before the waiter, the callbacks run before it resumes (asyncio's order).
    expect(trace).toEqual([
      "first: t five",
      "second: done=true",
      "waiter resumed@5",
      "late added",
      "late",
    ]);
    loop.close();
  });

  it("knows the current task inside a task, and none outside", async () => {
    const { loop } = virtualLoop(core);
    const seen: Array<string | null> = [];
    const name = (t: Task | null) => (t === null ? null : t.name);
    loop.callSoon(() => void seen.push(`callback sees ${name(currentTask())}`));
    await loop.runUntilComplete(
      loop.createTask(
        function* () {
          seen.push(name(currentTask()));
          const child = createTask(
            function* () {
              seen.push(name(currentTask()));
              yield* sleep(1);
              seen.push(name(currentTask()));
            },
            { name: "child" },
          );
          yield* child;
          seen.push(name(currentTask()));
        },
        { name: "main" },
      ),
    );
    seen.push(name(currentTask()));
    expect(seen).toEqual(["callback sees null", "main", "child", "child", "main", null]);
    loop.close();
  });

  it("lists the unfinished tasks of the loop in allTasks()", async () => {
    const { loop } = virtualLoop(core);
    const names = (set: Set<Task>) => [...set].map((t) => t.name).sort();
    const seen = await loop.runUntilComplete(
      loop.createTask(
        function* () {
          const a = createTask(sleep(10), { name: "a" });
          createTask(sleep(20), { name: "b" });
          const before = names(allTasks());
          yield* a;
          const after = names(allTasks());
          return [before, after, names(loop.allTasks())];
        },
        { name: "main" },
      ),
    );
    expect(seen).toEqual([
      ["a", "b", "main"],
      ["b", "main"],
      ["b", "main"],
    ]);
    expect(names(loop.allTasks())).toEqual(["b"]);
    loop.close();
  });

  it("is awaitable from async code, resolving or rejecting with the outcome", async () => {
    const { loop, reports } = virtualLoop(core);
    const ok = loop.createTask(sleep(10, "ok"));
    const bad = loop.createTask(function* () {
      yield* sleep(5);
      throw new Error("bad");
    });
    const settled: string[] = [];
    void ok.then((v) => settled.push(`ok ${v}`));
    void bad.then(undefined, (e: unknown) => settled.push(`bad ${errText(e)}`));
    await loop.runUntilComplete(sleep(20));
    expect(await ok).toBe("ok");
    await expect(bad).rejects.toThrow("bad");
    expect(settled).toEqual(["bad Error: bad", "ok ok"]);
    expect(reports).toEqual([]);
    loop.close();
  });

  it("returns sleep's value after exactly the asked virtual time; sleep(0) only gives the turn", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      const other = createTask(function* () {
        trace.push("other runs");
      });
      const v = yield* sleep(0, "zero");
      trace.push(`sleep(0) gave ${v} @${loop.time()}`);
      yield* sleep(-10);
      trace.push(`sleep(-10) @${loop.time()}`);
      const w = yield* sleep(2.5, { n: 1 });
      trace.push(`sleep(2.5) gave ${JSON.stringify(w)} @${loop.time()}`);
      yield* other;
    });
    expect(trace).toEqual([
      "other runs",
      "sleep(0) gave zero @0",
      "sleep(-10) @0",
      'sleep(2.5) gave {"n":1} @2.5',
    ]);
    loop.close();
  });

  it("rejects a sleep of NaN or a non-number with a TypeError", async () => {
    const { loop } = virtualLoop(core);
    const errors = await loop.runUntilComplete(function* () {
      const out: string[] = [];
      for (const bad of [Number.NaN, "10", undefined]) {
        try {
          yield* sleep(bad as number);
          out.push("slept");
        } catch (e) {
          out.push(errText(e));
        }
      }
      return out;
    });
    expect(errors).toEqual([
      "TypeError: spindle: sleep needs a number of ms, got NaN (a number)",
      'TypeError: spindle: sleep needs a number of ms, got "10"',
      "TypeError: spindle: sleep needs a number of ms, got undefined",
    ]);
    loop.close();
  });
});
