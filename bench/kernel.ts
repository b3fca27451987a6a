// The kernel against its peers, on the shapes that exercise a scheduler: task switches,
// yield* on finished work, message passing, sleep(0) and cancellation. Run by bench/run.ts.
//
// Implementations (each shape's `uses` says exactly what each one calls):
//   spindle-wasm / spindle-ts   spindle's public API, on one reused loop per shape and core
//   native                      async functions and Promises (AbortController to cancel)
//   effection                   Effection v4 (run, spawn, all, createQueue, sleep, halt)
//   effect                      Effect 4 (runPromise, forkChild, Fiber, Queue, sleep)
//
// Shapes:
//   run-overhead  run() of a trivial main, a fresh runtime each time: what each shape below
//                 leaves out by reusing one loop
//   1. yields     T tasks × Y bare yields: the context switch
//   2a. chain     N × `yield*` of a task that has finished (await of a resolved Promise)
//   2b. chain     N × `yield*` of an operation that returns at once (await of an async call)
//   3. ping-pong  N round trips between two tasks through two queues of capacity 1
//   4. sleep(0)   T tasks × Y sleep(0)s: each runtime's own "sleep(0)" — spindle's, as
//                 asyncio's, gives the turn inside its own loop; native's is a turn of
//                 Node's loop, which is why 4c exists
//   4c. Node turn T tasks × Y awaits of a setImmediate Promise: every runtime gives Node a
//                 turn each time
//   5. cancel     spawn T tasks that park in a long sleep inside try/finally, cancel them all
//   1b, 4b, 5c    shapes 1, 4 and 5 with the work spread over few tasks (100): Effection's
//                 cost grows with the number of children (10k children with no work at all
//                 take seconds), which hides its cost per switch at 10k tasks
//
// Every case returns a check (sums of results, counts of yields, finalizers, cancelled
// tasks) that must equal its expect; a broken implementation fails the run instead of
// looking fast. Setup (handing over the shape's loop, built once) is timed apart.
//
// Fairness. Every implementation's tasks are shared top-level generator / async functions
// (V8 keeps type feedback per function literal; a fresh closure per task runs cold), and
// every implementation builds its cases in its own instance of this module (imported as
// `kernel.js?impl=<name>`, as bench/core.ts does), so no two implementations share a call
// site of the benchmark's own code. spindle's two cores do share spindle's kernel code,
// as they must in one process: its calls into the core see both core classes.

import * as E from "effection";
import { Effect, Exit, Fiber, Queue as EffectQueue } from "effect";
import {
  Queue,
  createTask,
  fromPromise,
  gather,
  newEventLoop,
  run,
  sleep,
  type EventLoop,
  type Instruction,
  type Task,
} from "../dist/index.js";
import type { CoreKind } from "../dist/core/index.js";
import { defineCase, type BenchCase } from "./harness.js";
import { Channel, sleepFor } from "./peers/native.js";
import { turn } from "./peers/effection.js";
import { label, type ShapeSpec, type Sizes } from "./plan.js";

export const KERNEL_IMPLS = ["spindle-wasm", "spindle-ts", "native", "effection", "effect"];
export type KernelImpl = "spindle-wasm" | "spindle-ts" | "native" | "effection" | "effect";

/** A sleep that outlives any benchmark: the parked tasks of shape 5 never wake by themselves. */
const LONG_MS = 1e9;

// ── the shapes ───────────────────────────────────────────────────────────────────────

/** Bare yields per task in 1b: the total of shape 1, over fewer tasks. */
function fewYields(s: Sizes): number {
  return Math.round((s.yieldTasks * s.yieldsPerTask) / s.fewTasks);
}
/** sleep(0)s per task in 4b: Effection's sleep(0) is a 1 ms timer, so not many. */
const FEW_SLEEPS = 100;

/** `uses` of a variant: what each implementation calls is that of the shape it varies. */
function sameAs(shape: string): Record<string, string> {
  const what = `as in ${shape}, with the work spread over few tasks`;
  return Object.fromEntries(KERNEL_IMPLS.map((impl) => [impl, what]));
}

/**
 * The variants: a base shape's runner with some sizes changed while it runs (the cases of
 * a run are measured one at a time, so the module's `cfg` can be swapped around a call).
 */
function variants(s: Sizes): Record<string, { base: string; sizes: Partial<Sizes> }> {
  return {
    "yields-few": {
      base: "yields",
      sizes: { yieldTasks: s.fewTasks, yieldsPerTask: fewYields(s) },
    },
    "sleep0-few": { base: "sleep0", sizes: { sleepTasks: s.fewTasks, sleepsPerTask: FEW_SLEEPS } },
    "cancel-few": { base: "cancel", sizes: { cancelTasks: s.fewTasks } },
  };
}

/** Descriptions of the kernel shapes at sizes `s`. */
export function kernelShapes(s: Sizes): ShapeSpec[] {
  const order = [
    "run-overhead",
    "yields",
    "yields-few",
    "chain-task",
    "chain-op",
    "ping-pong",
    "sleep0",
    "sleep0-few",
    "node-turn",
    "cancel",
    "cancel-few",
  ];
  return unordered(s).sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

function unordered(s: Sizes): ShapeSpec[] {
  const T = label(s.yieldTasks);
  const spindle = (what: string) => ({ "spindle-wasm": what, "spindle-ts": what });
  return [
    {
      id: "run-overhead",
      title: `0. run(): ${label(s.runs)} × fresh loop + trivial main`,
      group: "kernel",
      ops: s.runs,
      unit: "runs",
      baseline: "native",
      sizes: { runs: s.runs },
      uses: {
        ...spindle(
          "await run(main, { core }): a new loop (wasm: a pooled core, reset; ts: a new " +
            "core), main returns at once, close",
        ),
        native: "await of an async function that returns at once (no runtime to start)",
        effection: "await run(main)",
        effect: "await Effect.runPromise(Effect.succeed(1))",
      },
    },
    {
      id: "yields",
      title: `1. ${T} tasks × ${s.yieldsPerTask} bare yields`,
      group: "kernel",
      ops: s.yieldTasks * s.yieldsPerTask,
      unit: "switches",
      baseline: "native",
      sizes: { tasks: s.yieldTasks, yieldsPerTask: s.yieldsPerTask },
      uses: {
        ...spindle("createTask + bare `yield` + gather"),
        native: "async functions `await null` + Promise.all",
        effection:
          "spawn + `yield* turn` (an action resolved from a microtask: Effection has no " +
          "turn-giving instruction, and its sleep(0) is a 1 ms setTimeout) + all",
        effect: "Effect.forkChild + Effect.yieldNow + Fiber.joinAll",
      },
    },
    {
      id: "chain-task",
      title: `2a. ${label(s.chain)} × yield* of a finished task`,
      group: "kernel",
      ops: s.chain,
      unit: "yield*s",
      baseline: "native",
      sizes: { chain: s.chain },
      uses: {
        ...spindle("`yield* task` on a Task that has finished"),
        native: "`await` of a resolved Promise",
        effection: "`yield* task` on a Task that has finished",
        effect: "`yield* Fiber.join(fiber)` on a fiber that has finished",
      },
    },
    {
      id: "chain-op",
      title: `2b. ${label(s.chain)} × yield* of an op that returns at once`,
      group: "kernel",
      ops: s.chain,
      unit: "yield*s",
      baseline: "native",
      sizes: { chain: s.chain },
      uses: {
        ...spindle(
          "`yield* instant()`, a generator that returns at once (plain generator " +
            "delegation: the kernel never sees it)",
        ),
        native: "`await instant()`, an async function that returns at once",
        effection: "`yield* instant()`, a generator that returns at once (as spindle)",
        effect: "`yield* Effect.succeed(1)`",
      },
    },
    {
      id: "ping-pong",
      title: `3. ping-pong: ${label(s.roundTrips)} round trips, two queues of 1`,
      group: "kernel",
      ops: 2 * s.roundTrips,
      unit: "messages",
      baseline: "native",
      sizes: { roundTrips: s.roundTrips, messages: 2 * s.roundTrips },
      uses: {
        ...spindle("two spindle Queue(1): put/get"),
        native: "two minimal promise channels of capacity 1 (bench/peers/native.ts)",
        effection:
          "two createQueue() (unbounded: Effection has no bounded queue; here it never " +
          "holds more than one item) add/next",
        effect: "two Queue.bounded(1): offer/take",
      },
    },
    {
      id: "sleep0",
      title: `4. ${label(s.sleepTasks)} tasks × ${s.sleepsPerTask} sleep(0), each runtime's own`,
      group: "kernel",
      ops: s.sleepTasks * s.sleepsPerTask,
      unit: "sleep(0)s",
      baseline: "native",
      sizes: { tasks: s.sleepTasks, sleepsPerTask: s.sleepsPerTask },
      uses: {
        ...spindle(
          "`yield* sleep(0)`: gives the turn inside spindle's loop, as asyncio's sleep(0) " +
            "(no turn for Node: see 4c)",
        ),
        native: "`await new Promise(r => setImmediate(r))`: one turn of Node's event loop",
        effection: "`yield* sleep(0)`: a setTimeout(0), which Node clamps to 1 ms",
        effect: "`yield* Effect.sleep(0)`: Effect.yieldNow, batched on setImmediate",
      },
    },
    {
      id: "node-turn",
      title: `4c. ${label(s.sleepTasks)} tasks × ${s.sleepsPerTask} Node turns (setImmediate)`,
      group: "kernel",
      ops: s.sleepTasks * s.sleepsPerTask,
      unit: "turns",
      baseline: "native",
      sizes: { tasks: s.sleepTasks, turnsPerTask: s.sleepsPerTask },
      uses: {
        ...spindle("`yield* fromPromise(new Promise(r => setImmediate(r)))`"),
        native: "`await new Promise(r => setImmediate(r))`",
        effection: "`yield* until(new Promise(r => setImmediate(r)))`",
        effect: "`yield* Effect.promise(() => new Promise(r => setImmediate(r)))`",
      },
    },
    {
      id: "yields-few",
      title: `1b. ${label(s.fewTasks)} tasks × ${label(fewYields(s))} bare yields`,
      group: "kernel",
      ops: s.fewTasks * fewYields(s),
      unit: "switches",
      baseline: "native",
      sizes: { tasks: s.fewTasks, yieldsPerTask: fewYields(s) },
      uses: { ...sameAs("shape 1") },
    },
    {
      id: "sleep0-few",
      title: `4b. ${label(s.fewTasks)} tasks × ${FEW_SLEEPS} sleep(0), each runtime's own`,
      group: "kernel",
      ops: s.fewTasks * FEW_SLEEPS,
      unit: "sleep(0)s",
      baseline: "native",
      sizes: { tasks: s.fewTasks, sleepsPerTask: FEW_SLEEPS },
      uses: { ...sameAs("shape 4") },
    },
    {
      id: "cancel-few",
      title: `5c. spawn + cancel ${label(s.fewTasks)} sleeping tasks (finally)`,
      group: "kernel",
      ops: s.fewTasks,
      unit: "tasks",
      baseline: "native",
      sizes: { tasks: s.fewTasks },
      uses: { ...sameAs("shape 5") },
    },
    {
      id: "cancel",
      title: `5. spawn + cancel ${label(s.cancelTasks)} sleeping tasks (finally)`,
      group: "kernel",
      ops: s.cancelTasks,
      unit: "tasks",
      baseline: "native",
      sizes: { tasks: s.cancelTasks },
      uses: {
        ...spindle(
          "createTask; try { yield* sleep(1e9) } finally; one turn; task.cancel() each; " +
            "gather(returnExceptions)",
        ),
        native:
          "async fn; try { await setTimeout(1e9)+AbortSignal } finally; one " +
          "AbortController per task, abort() each; Promise.allSettled",
        effection: "spawn; try { yield* sleep(1e9) } finally; one turn; all(task.halt())",
        effect:
          "forkChild(Effect.sleep(1e9).pipe(Effect.ensuring(…))); yieldNow; " +
          "Fiber.interruptAll",
      },
    },
  ];
}

/** The value each shape's run must return, at sizes `s` (the same for every implementation). */
function expected(s: Sizes): Record<string, unknown> {
  const n = s.roundTrips;
  return {
    "run-overhead": s.runs,
    yields: [s.yieldTasks, s.yieldTasks * s.yieldsPerTask],
    "chain-task": s.chain,
    "chain-op": s.chain,
    // The pinger sends 0..n-1 and sums the replies, each one more than what it sent.
    "ping-pong": [n, (n * (n + 1)) / 2],
    sleep0: [s.sleepTasks, s.sleepTasks * s.sleepsPerTask],
    "node-turn": [s.sleepTasks, s.sleepTasks * s.sleepsPerTask],
    cancel: [s.cancelTasks, s.cancelTasks, s.cancelTasks],
    "yields-few": [s.fewTasks, s.fewTasks * fewYields(s)],
    "sleep0-few": [s.fewTasks, s.fewTasks * FEW_SLEEPS],
    "cancel-few": [s.fewTasks, s.fewTasks, s.fewTasks],
  };
}

// ── this module instance's state ─────────────────────────────────────────────────────

/** The sizes, read by the task bodies (so a task body needs no arguments and no closure). */
let cfg: Sizes;
/** Bare yields / sleeps taken; tasks that reached their sleep; finalizers run. */
let turns = 0;
let entered = 0;
let finalized = 0;

function caseOf(
  impl: KernelImpl,
  shape: string,
  s: Sizes,
  ops: number,
  run: (state: unknown) => Promise<unknown>,
  setup?: () => unknown,
): BenchCase {
  return defineCase({ shape, impl, ops, expect: expected(s)[shape], async: true, setup, run });
}

/**
 * The cases `impl` takes part in, built from this module instance's own functions.
 * Call it on the instance from instanceFor(impl).
 */
export function casesFor(impl: KernelImpl, s: Sizes): BenchCase[] {
  cfg = s;
  const shapes = kernelShapes(s);
  const ops = (id: string) => shapes.find((x) => x.id === id)!.ops;
  const runners =
    impl === "spindle-wasm"
      ? spindleRunners("wasm")
      : impl === "spindle-ts"
        ? spindleRunners("ts")
        : impl === "native"
          ? nativeRunners()
          : impl === "effection"
            ? effectionRunners()
            : effectRunners();
  for (const [id, v] of Object.entries(variants(s))) {
    const base = runners.run[v.base]!;
    runners.run[id] = async (state) => {
      const saved = cfg;
      cfg = { ...cfg, ...v.sizes };
      try {
        return await base(state);
      } finally {
        cfg = saved;
      }
    };
  }
  return shapes.map((shape) =>
    caseOf(impl, shape.id, s, ops(shape.id), runners.run[shape.id]!, runners.setup?.(shape.id)),
  );
}

interface Runners {
  /** The setup of each shape's case, if it has one. */
  setup?: (shape: string) => () => unknown;
  run: Record<string, (state: unknown) => Promise<unknown>>;
}

// ── spindle ──────────────────────────────────────────────────────────────────────────

/** A spindle coroutine returning T. */
type Co<T> = Generator<Instruction | undefined, T, unknown>;

/**
 * One loop per shape (and per core: each core has its own module instance), reused by every
 * iteration: a loop is meant to run many operations. Not shared between shapes, so a shape
 * finds the loop as its own earlier iterations left it (task ids freed in its own order),
 * whichever shapes ran before it: `--only` measures what the full run measures.
 */
const loops = new Map<string, EventLoop>();

function* trivial(): Co<number> {
  return 1;
}

function* yielder(): Co<number> {
  for (let i = cfg.yieldsPerTask; i > 0; i--) {
    yield;
    turns++;
  }
  return 1;
}

function* yieldsMain(): Co<number[]> {
  turns = 0;
  const tasks: Task<number>[] = new Array<Task<number>>(cfg.yieldTasks);
  for (let i = 0; i < tasks.length; i++) tasks[i] = createTask(yielder);
  const results = yield* gather(...tasks);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
}

function* instant(): Co<number> {
  return 1;
}

function* chainTaskMain(): Co<number> {
  const done = createTask(instant);
  yield* done;
  let sum = 0;
  for (let i = cfg.chain; i > 0; i--) sum += yield* done;
  return sum;
}

function* chainOpMain(): Co<number> {
  let sum = 0;
  for (let i = cfg.chain; i > 0; i--) sum += yield* instant();
  return sum;
}

function* pinger(ping: Queue<number>, pong: Queue<number>): Co<number> {
  let sum = 0;
  for (let i = 0; i < cfg.roundTrips; i++) {
    yield* ping.put(i);
    sum += yield* pong.get();
  }
  return sum;
}

function* ponger(ping: Queue<number>, pong: Queue<number>): Co<number> {
  let n = 0;
  for (let i = 0; i < cfg.roundTrips; i++) {
    yield* pong.put((yield* ping.get()) + 1);
    n++;
  }
  return n;
}

function* pingPongMain(): Co<number[]> {
  const ping = new Queue<number>(1);
  const pong = new Queue<number>(1);
  const other = createTask(ponger(ping, pong));
  const sum = yield* pinger(ping, pong);
  return [yield* other, sum];
}

function* sleeper(): Co<number> {
  for (let i = cfg.sleepsPerTask; i > 0; i--) {
    yield* sleep(0);
    turns++;
  }
  return 1;
}

function* sleepMain(): Co<number[]> {
  turns = 0;
  const tasks: Task<number>[] = new Array<Task<number>>(cfg.sleepTasks);
  for (let i = 0; i < tasks.length; i++) tasks[i] = createTask(sleeper);
  const results = yield* gather(...tasks);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
}

/** A Promise that resolves after a turn of Node's event loop. */
function immediate(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

function* turner(): Co<number> {
  for (let i = cfg.sleepsPerTask; i > 0; i--) {
    yield* fromPromise(immediate());
    turns++;
  }
  return 1;
}

function* nodeTurnMain(): Co<number[]> {
  turns = 0;
  const tasks: Task<number>[] = new Array<Task<number>>(cfg.sleepTasks);
  for (let i = 0; i < tasks.length; i++) tasks[i] = createTask(turner);
  const results = yield* gather(...tasks);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
}

function* parked(): Co<void> {
  entered++;
  try {
    yield* sleep(LONG_MS);
  } finally {
    finalized++;
  }
}

function* cancelMain(): Co<number[]> {
  entered = 0;
  finalized = 0;
  const tasks: Task<void>[] = new Array<Task<void>>(cfg.cancelTasks);
  for (let i = 0; i < tasks.length; i++) tasks[i] = createTask(parked);
  yield; // every task runs up to its sleep
  for (const t of tasks) t.cancel();
  yield* gather(...tasks, { returnExceptions: true });
  let cancelled = 0;
  for (const t of tasks) if (t.cancelled()) cancelled++;
  return [entered, finalized, cancelled];
}

function spindleRunners(core: CoreKind): Runners {
  const on = (main: () => Co<unknown>) => (l: unknown) => (l as EventLoop).runUntilComplete(main);
  return {
    setup: (shape) => () => {
      let loop = loops.get(shape);
      if (loop === undefined) loops.set(shape, (loop = newEventLoop({ core })));
      return loop;
    },
    run: {
      "run-overhead": async () => {
        let sum = 0;
        for (let i = cfg.runs; i > 0; i--) sum += await run(trivial, { core });
        return sum;
      },
      yields: on(yieldsMain),
      "chain-task": on(chainTaskMain),
      "chain-op": on(chainOpMain),
      "ping-pong": on(pingPongMain),
      sleep0: on(sleepMain),
      "node-turn": on(nodeTurnMain),
      cancel: on(cancelMain),
    },
  };
}

// ── native ───────────────────────────────────────────────────────────────────────────

async function nTrivial(): Promise<number> {
  return 1;
}

async function nYielder(): Promise<number> {
  for (let i = cfg.yieldsPerTask; i > 0; i--) {
    await null;
    turns++;
  }
  return 1;
}

async function nYieldsMain(): Promise<number[]> {
  turns = 0;
  const all: Promise<number>[] = new Array<Promise<number>>(cfg.yieldTasks);
  for (let i = 0; i < all.length; i++) all[i] = nYielder();
  const results = await Promise.all(all);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
}

const resolvedOne = Promise.resolve(1);

async function nChainTaskMain(): Promise<number> {
  let sum = 0;
  for (let i = cfg.chain; i > 0; i--) sum += await resolvedOne;
  return sum;
}

async function nInstant(): Promise<number> {
  return 1;
}

async function nChainOpMain(): Promise<number> {
  let sum = 0;
  for (let i = cfg.chain; i > 0; i--) sum += await nInstant();
  return sum;
}

async function nPinger(ping: Channel<number>, pong: Channel<number>): Promise<number> {
  let sum = 0;
  for (let i = 0; i < cfg.roundTrips; i++) {
    await ping.put(i);
    sum += await pong.get();
  }
  return sum;
}

async function nPonger(ping: Channel<number>, pong: Channel<number>): Promise<number> {
  let n = 0;
  for (let i = 0; i < cfg.roundTrips; i++) {
    await pong.put((await ping.get()) + 1);
    n++;
  }
  return n;
}

async function nPingPongMain(): Promise<number[]> {
  const ping = new Channel<number>(1);
  const pong = new Channel<number>(1);
  const other = nPonger(ping, pong);
  const sum = await nPinger(ping, pong);
  return [await other, sum];
}

async function nSleeper(): Promise<number> {
  for (let i = cfg.sleepsPerTask; i > 0; i--) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    turns++;
  }
  return 1;
}

async function nSleepMain(): Promise<number[]> {
  turns = 0;
  const all: Promise<number>[] = new Array<Promise<number>>(cfg.sleepTasks);
  for (let i = 0; i < all.length; i++) all[i] = nSleeper();
  const results = await Promise.all(all);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
}

async function nParked(signal: AbortSignal): Promise<void> {
  entered++;
  try {
    await sleepFor(LONG_MS, signal);
  } finally {
    finalized++;
  }
}

async function nCancelMain(): Promise<number[]> {
  entered = 0;
  finalized = 0;
  const n = cfg.cancelTasks;
  const controllers: AbortController[] = new Array<AbortController>(n);
  const all: Promise<void>[] = new Array<Promise<void>>(n);
  for (let i = 0; i < n; i++) {
    const c = new AbortController();
    controllers[i] = c;
    all[i] = nParked(c.signal); // runs up to its sleep at once
  }
  await null; // one turn, as the others take
  for (const c of controllers) c.abort();
  const settled = await Promise.allSettled(all);
  let cancelled = 0;
  for (const r of settled) if (r.status === "rejected") cancelled++;
  return [entered, finalized, cancelled];
}

function nativeRunners(): Runners {
  return {
    run: {
      "run-overhead": async () => {
        let sum = 0;
        for (let i = cfg.runs; i > 0; i--) sum += await nTrivial();
        return sum;
      },
      yields: nYieldsMain,
      "chain-task": nChainTaskMain,
      "chain-op": nChainOpMain,
      "ping-pong": nPingPongMain,
      sleep0: nSleepMain,
      "node-turn": nSleepMain, // native's sleep(0) is already a Node turn
      cancel: nCancelMain,
    },
  };
}

// ── Effection ────────────────────────────────────────────────────────────────────────

function* eTrivial(): E.Operation<number> {
  return 1;
}

function* eYielder(): E.Operation<number> {
  for (let i = cfg.yieldsPerTask; i > 0; i--) {
    yield* turn;
    turns++;
  }
  return 1;
}

function* eYieldsMain(): E.Operation<number[]> {
  turns = 0;
  const tasks: E.Task<number>[] = new Array<E.Task<number>>(cfg.yieldTasks);
  for (let i = 0; i < tasks.length; i++) tasks[i] = yield* E.spawn(eYielder);
  const results = yield* E.all(tasks);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
}

function* eInstant(): E.Operation<number> {
  return 1;
}

function* eChainTaskMain(): E.Operation<number> {
  const done = yield* E.spawn(eInstant);
  yield* done;
  let sum = 0;
  for (let i = cfg.chain; i > 0; i--) sum += yield* done;
  return sum;
}

function* eChainOpMain(): E.Operation<number> {
  let sum = 0;
  for (let i = cfg.chain; i > 0; i--) sum += yield* eInstant();
  return sum;
}

function* ePinger(ping: E.Queue<number, void>, pong: E.Queue<number, void>): E.Operation<number> {
  let sum = 0;
  for (let i = 0; i < cfg.roundTrips; i++) {
    ping.add(i);
    const reply = yield* pong.next();
    if (reply.done === true) throw new Error("effection ping-pong: the queue closed");
    sum += reply.value;
  }
  return sum;
}

function* ePonger(ping: E.Queue<number, void>, pong: E.Queue<number, void>): E.Operation<number> {
  let n = 0;
  for (let i = 0; i < cfg.roundTrips; i++) {
    const got = yield* ping.next();
    if (got.done === true) throw new Error("effection ping-pong: the queue closed");
    pong.add(got.value + 1);
    n++;
  }
  return n;
}

function* ePingPongMain(): E.Operation<number[]> {
  const ping = E.createQueue<number, void>();
  const pong = E.createQueue<number, void>();
  const other = yield* E.spawn(() => ePonger(ping, pong));
  const sum = yield* ePinger(ping, pong);
  return [yield* other, sum];
}

function* eSleeper(): E.Operation<number> {
  for (let i = cfg.sleepsPerTask; i > 0; i--) {
    yield* E.sleep(0);
    turns++;
  }
  return 1;
}

function* eSleepMain(): E.Operation<number[]> {
  turns = 0;
  const tasks: E.Task<number>[] = new Array<E.Task<number>>(cfg.sleepTasks);
  for (let i = 0; i < tasks.length; i++) tasks[i] = yield* E.spawn(eSleeper);
  const results = yield* E.all(tasks);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
}

function* eTurner(): E.Operation<number> {
  for (let i = cfg.sleepsPerTask; i > 0; i--) {
    yield* E.until(immediate());
    turns++;
  }
  return 1;
}

function* eNodeTurnMain(): E.Operation<number[]> {
  turns = 0;
  const tasks: E.Task<number>[] = new Array<E.Task<number>>(cfg.sleepTasks);
  for (let i = 0; i < tasks.length; i++) tasks[i] = yield* E.spawn(eTurner);
  const results = yield* E.all(tasks);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
}

function* eParked(): E.Operation<void> {
  entered++;
  try {
    yield* E.sleep(LONG_MS);
  } finally {
    finalized++;
  }
}

function* eCancelMain(): E.Operation<number[]> {
  entered = 0;
  finalized = 0;
  const tasks: E.Task<void>[] = new Array<E.Task<void>>(cfg.cancelTasks);
  for (let i = 0; i < tasks.length; i++) tasks[i] = yield* E.spawn(eParked);
  yield* turn; // every task runs up to its sleep
  const halted = yield* E.all(tasks.map((t) => t.halt()));
  return [entered, finalized, halted.length];
}

function effectionRunners(): Runners {
  return {
    run: {
      "run-overhead": async () => {
        let sum = 0;
        for (let i = cfg.runs; i > 0; i--) sum += await E.run(eTrivial);
        return sum;
      },
      yields: () => E.run(eYieldsMain),
      "chain-task": () => E.run(eChainTaskMain),
      "chain-op": () => E.run(eChainOpMain),
      "ping-pong": () => E.run(ePingPongMain),
      sleep0: () => E.run(eSleepMain),
      "node-turn": () => E.run(eNodeTurnMain),
      cancel: () => E.run(eCancelMain),
    },
  };
}

// ── Effect ───────────────────────────────────────────────────────────────────────────

const fOne = Effect.succeed(1);

const fYielder = Effect.gen(function* () {
  for (let i = cfg.yieldsPerTask; i > 0; i--) {
    yield* Effect.yieldNow;
    turns++;
  }
  return 1;
});

const fYieldsMain = Effect.gen(function* () {
  turns = 0;
  const fibers: Fiber.Fiber<number>[] = new Array<Fiber.Fiber<number>>(cfg.yieldTasks);
  for (let i = 0; i < fibers.length; i++) fibers[i] = yield* Effect.forkChild(fYielder);
  const results = yield* Fiber.joinAll(fibers);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
});

const fChainTaskMain = Effect.gen(function* () {
  const done = yield* Effect.forkChild(fOne);
  yield* Fiber.join(done);
  let sum = 0;
  for (let i = cfg.chain; i > 0; i--) sum += yield* Fiber.join(done);
  return sum;
});

const fChainOpMain = Effect.gen(function* () {
  let sum = 0;
  for (let i = cfg.chain; i > 0; i--) sum += yield* Effect.succeed(1);
  return sum;
});

const fPinger = Effect.fnUntraced(function* (
  ping: EffectQueue.Queue<number>,
  pong: EffectQueue.Queue<number>,
) {
  let sum = 0;
  for (let i = 0; i < cfg.roundTrips; i++) {
    yield* EffectQueue.offer(ping, i);
    sum += yield* EffectQueue.take(pong);
  }
  return sum;
});

const fPonger = Effect.fnUntraced(function* (
  ping: EffectQueue.Queue<number>,
  pong: EffectQueue.Queue<number>,
) {
  let n = 0;
  for (let i = 0; i < cfg.roundTrips; i++) {
    yield* EffectQueue.offer(pong, (yield* EffectQueue.take(ping)) + 1);
    n++;
  }
  return n;
});

const fPingPongMain = Effect.gen(function* () {
  const ping = yield* EffectQueue.bounded<number>(1);
  const pong = yield* EffectQueue.bounded<number>(1);
  const other = yield* Effect.forkChild(fPonger(ping, pong));
  const sum = yield* fPinger(ping, pong);
  return [yield* Fiber.join(other), sum];
});

const fSleeper = Effect.gen(function* () {
  for (let i = cfg.sleepsPerTask; i > 0; i--) {
    yield* Effect.sleep(0);
    turns++;
  }
  return 1;
});

const fSleepMain = Effect.gen(function* () {
  turns = 0;
  const fibers: Fiber.Fiber<number>[] = new Array<Fiber.Fiber<number>>(cfg.sleepTasks);
  for (let i = 0; i < fibers.length; i++) fibers[i] = yield* Effect.forkChild(fSleeper);
  const results = yield* Fiber.joinAll(fibers);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
});

const fTurner = Effect.gen(function* () {
  for (let i = cfg.sleepsPerTask; i > 0; i--) {
    yield* Effect.promise(immediate);
    turns++;
  }
  return 1;
});

const fNodeTurnMain = Effect.gen(function* () {
  turns = 0;
  const fibers: Fiber.Fiber<number>[] = new Array<Fiber.Fiber<number>>(cfg.sleepTasks);
  for (let i = 0; i < fibers.length; i++) fibers[i] = yield* Effect.forkChild(fTurner);
  const results = yield* Fiber.joinAll(fibers);
  let sum = 0;
  for (const r of results) sum += r;
  return [sum, turns];
});

const fParked = Effect.gen(function* () {
  entered++;
  yield* Effect.sleep(LONG_MS);
}).pipe(
  // Effect's finally: runs however the fiber ends, interruption included.
  Effect.ensuring(
    Effect.sync(() => {
      finalized++;
    }),
  ),
);

const fCancelMain = Effect.gen(function* () {
  entered = 0;
  finalized = 0;
  const fibers: Fiber.Fiber<void>[] = new Array<Fiber.Fiber<void>>(cfg.cancelTasks);
  for (let i = 0; i < fibers.length; i++) fibers[i] = yield* Effect.forkChild(fParked);
  yield* Effect.yieldNow; // every fiber runs up to its sleep
  yield* Fiber.interruptAll(fibers);
  let interrupted = 0;
  for (const f of fibers) {
    const exit = f.pollUnsafe();
    if (exit !== undefined && Exit.hasInterrupts(exit)) interrupted++;
  }
  return [entered, finalized, interrupted];
});

function effectRunners(): Runners {
  return {
    run: {
      "run-overhead": async () => {
        let sum = 0;
        for (let i = cfg.runs; i > 0; i--) sum += await Effect.runPromise(fOne);
        return sum;
      },
      yields: () => Effect.runPromise(fYieldsMain),
      "chain-task": () => Effect.runPromise(fChainTaskMain),
      "chain-op": () => Effect.runPromise(fChainOpMain),
      "ping-pong": () => Effect.runPromise(fPingPongMain),
      sleep0: () => Effect.runPromise(fSleepMain),
      "node-turn": () => Effect.runPromise(fNodeTurnMain),
      cancel: () => Effect.runPromise(fCancelMain),
    },
  };
}

// ── the suite ────────────────────────────────────────────────────────────────────────

/** This module again, as a separate instance for `impl` (see "Fairness" above). */
export async function instanceFor(impl: KernelImpl): Promise<typeof import("./kernel.js")> {
  return (await import(
    `./kernel.js?impl=${encodeURIComponent(impl)}`
  )) as typeof import("./kernel.js");
}

/** Every kernel case, each implementation's from its own module instance. */
export async function kernelCases(s: Sizes, impls = KERNEL_IMPLS): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  for (const impl of impls as KernelImpl[])
    cases.push(...(await instanceFor(impl)).casesFor(impl, s));
  return cases;
}
