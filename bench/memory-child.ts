// Child process of the memory shape (8): parks N tasks in a long sleep on one
// implementation, and prints one JSON line: the memory they hold, per task.
//
//   node --expose-gc <compiled>/bench/memory-child.js <impl> <n>
//
// Run compiled (see bench/compiled.ts) by bench/memory.ts, one fresh process per
// implementation, so no implementation sees another's heap. The runtime (a loop, a scope)
// is made before the baseline is taken: what is measured is what N more sleeping tasks
// cost. Each task keeps a handle (Task, Promise, Fiber) in one array, as a program that
// awaits its tasks later would. Before each reading: two full GCs.
//
// The check: every task reached its sleep (`entered`), and N are still alive (not finished)
// when the memory is read.

import type { Operation, Task } from "effection";

const LONG_MS = 1e9;

interface Reading {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** What the child prints. Byte figures are totals over the n tasks, after minus before. */
export interface MemoryReport {
  impl: string;
  n: number;
  entered: number;
  live: number;
  /** ms to create the n tasks and let each reach its sleep. */
  spawnMs: number;
  delta: Reading;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("memory-child: run node with --expose-gc");

function reading(): Reading {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let entered = 0;

/** Creates n sleeping tasks between two readings; returns the live count and timing. */
async function measure(
  start: () => Promise<() => number> | (() => number),
): Promise<{ live: number; spawnMs: number; delta: Reading }> {
  const before = reading();
  const t0 = performance.now();
  const liveCount = await start();
  const spawnMs = performance.now() - t0;
  const after = reading();
  const live = liveCount();
  return {
    live,
    spawnMs,
    delta: {
      rss: after.rss - before.rss,
      heapUsed: after.heapUsed - before.heapUsed,
      external: after.external - before.external,
      arrayBuffers: after.arrayBuffers - before.arrayBuffers,
    },
  };
}

async function spindle(core: "wasm" | "ts", n: number) {
  const { newEventLoop, sleep } = await import("../src/index.js");
  const loop = newEventLoop({ core });
  function* sleeper() {
    entered++;
    yield* sleep(LONG_MS);
  }
  function* oneTurn() {
    yield;
  }
  return measure(async () => {
    const tasks = new Array<unknown>(n);
    for (let i = 0; i < n; i++) tasks[i] = loop.createTask(sleeper);
    await loop.runUntilComplete(oneTurn); // every task runs up to its sleep
    return () => loop.allTasks().size;
  });
}

async function native(n: number) {
  let finished = 0;
  async function sleeper(): Promise<void> {
    entered++;
    await new Promise<void>((resolve) => setTimeout(resolve, LONG_MS));
    finished++;
  }
  return measure(async () => {
    const tasks = new Array<Promise<void>>(n);
    for (let i = 0; i < n; i++) tasks[i] = sleeper();
    await nextTurn();
    return () => (tasks.length === n ? entered - finished : -1);
  });
}

async function effection(n: number) {
  const E = await import("effection");
  const [scope] = E.createScope();
  let finished = 0;
  function* sleeper(): Operation<void> {
    entered++;
    yield* E.sleep(LONG_MS);
    finished++;
  }
  return measure(async () => {
    const tasks = new Array<Task<void>>(n);
    for (let i = 0; i < n; i++) tasks[i] = scope.run(sleeper);
    await nextTurn();
    return () => (tasks.length === n ? entered - finished : -1);
  });
}

async function effect(n: number) {
  const { Effect } = await import("effect");
  const sleeper = Effect.gen(function* () {
    entered++;
    yield* Effect.sleep(LONG_MS);
  });
  return measure(async () => {
    const fibers = new Array<{ pollUnsafe(): unknown }>(n);
    for (let i = 0; i < n; i++) fibers[i] = Effect.runFork(sleeper);
    await nextTurn();
    return () => {
      let live = 0;
      for (const f of fibers) if (f.pollUnsafe() === undefined) live++;
      return live;
    };
  });
}

const [impl = "", count = ""] = process.argv.slice(2);
const n = Number(count);
if (!Number.isInteger(n) || n <= 0) throw new Error(`memory-child: bad task count ${count}`);
const result =
  impl === "spindle-wasm"
    ? await spindle("wasm", n)
    : impl === "spindle-ts"
      ? await spindle("ts", n)
      : impl === "native"
        ? await native(n)
        : impl === "effection"
          ? await effection(n)
          : impl === "effect"
            ? await effect(n)
            : null;
if (result === null) throw new Error(`memory-child: unknown implementation ${impl}`);
const report: MemoryReport = { impl, n, entered, ...result };
process.stdout.write(`${JSON.stringify(report)}\n`);
// The sleeping tasks hold Node timers (and the loop, a core timer): leave without waiting.
process.exit(0);
