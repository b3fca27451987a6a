// Timers: N timers armed then fired (shape 6), N timers armed then cancelled (shape 7), at
// four levels: spindle's loop (callLater on a virtual clock, so no real time passes), the
// scheduler core alone (sleepUntil / advance / cancelTimer), an object heap (tinyqueue, what
// a timer queue in plain JavaScript looks like) and Node's own setTimeout / clearTimeout.
// Two more shapes put spindle and Node on the same footing:
//   6b. shape 6 with every implementation at Node's four delays (1–4 ms) and setTimeout
//       given all N timers too: the same input everywhere (shape 6 favours Node's
//       per-duration lists; its fewer setTimeout timers flatter Node's rate as well);
//   6c. a deadline per operation: T tasks × K `timeout(5000)` scopes around one turn each —
//       what every request or read with a deadline costs a server — against
//       setTimeout/clearTimeout around `await null`, and the core's sleepUntil + cancelTimer.
//       Nothing fires. tinyqueue cannot remove an entry: no row.
// Run by bench/run.ts.
//
// Inputs. Delays are pseudo-random integers in [0, N/10) ms, so about ten timers share each
// deadline and the order among ties (arming order) is tested too. Every implementation that
// can be ordered checks the exact firing order (an order-sensitive hash) against a
// reference computed independently by a counting sort; setTimeout, on real time, checks the
// count and the sum of what fired.
//
// Node's setTimeout runs on real time, so it gets the same N timers at real delays of 1–4 ms:
// arming them takes longer than that, so the run does not sit idle. (An earlier version
// gave it a quarter of the timers and compared rates per timer: that flattered Node, whose
// cost per timer grows with the number pending, as everyone's does — what survives a
// scavenge is what costs.) Node keeps one list per distinct delay (four here), so arming is
// a list append where the others file ~N/10 distinct deadlines: shape 6 favours Node, 6b
// gives everyone its four delays. tinyqueue cannot remove an entry, so it has no row in
// shape 7.
//
// As in bench/kernel.ts, every implementation builds its cases in its own module instance.

import TinyQueue from "tinyqueue";
import {
  createTask,
  gather,
  newEventLoop,
  sleep,
  timeout,
  type EventLoop,
  type Instruction,
  type Task,
  type TimerHandle,
} from "../dist/index.js";
import { createCore, type Core, type CoreKind } from "../dist/core/index.js";
import { defineCase, type BenchCase } from "./harness.js";
import { label, type ShapeSpec, type Sizes } from "./plan.js";

export type TimerImpl =
  "spindle-wasm" | "spindle-ts" | "core-wasm" | "core-ts" | "tinyqueue" | "setTimeout";
export const TIMER_IMPLS: TimerImpl[] = [
  "spindle-wasm",
  "spindle-ts",
  "core-wasm",
  "core-ts",
  "tinyqueue",
  "setTimeout",
];

/** Node timer delays: 1..NODE_DELAYS ms. */
const NODE_DELAYS = 4;

// ── inputs and references, computed once ─────────────────────────────────────────────

/** An order-sensitive 32-bit hash step (FNV-1a style multiply), as bench/core.ts. */
function mix(h: number, id: number): number {
  return Math.imul(h ^ id, 0x01000193);
}

export interface TimerPlan {
  n: number;
  /** Distinct deadlines: delays are in [0, span). */
  span: number;
  delays: Float64Array;
  /** [fired, order hash] for all n timers. */
  fireExpect: [number, number];
  cancelN: number;
  /** 6b: [fired, order hash] for all n timers at delays 1 + (delays[i] % NODE_DELAYS). */
  fire4Expect: [number, number];
  /** 6c: tasks, and deadlines per task. */
  deadlineTasks: number;
  deadlinesPerTask: number;
}

export function timerPlan(s: Sizes): TimerPlan {
  const n = Math.max(s.timers, s.cancelTimers);
  const span = Math.max(1, Math.floor(s.timers / 10));
  const delays = new Float64Array(n);
  let x = 0x5eed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    delays[i] = (x >>> 0) % span;
  }
  // Reference order for the first s.timers: a counting sort keeps arming order per deadline.
  const buckets: number[][] = Array.from({ length: span }, () => []);
  for (let i = 0; i < s.timers; i++) buckets[delays[i]!]!.push(i);
  let h = 0;
  for (const bucket of buckets) for (const id of bucket) h = mix(h, id);
  // 6b's reference: the same counting sort over Node's four delays.
  const four: number[][] = Array.from({ length: NODE_DELAYS }, () => []);
  for (let i = 0; i < s.timers; i++) four[delays[i]! % NODE_DELAYS]!.push(i);
  let h4 = 0;
  for (const bucket of four) for (const id of bucket) h4 = mix(h4, id);
  return {
    n: s.timers,
    span,
    delays,
    fireExpect: [s.timers, h],
    cancelN: s.cancelTimers,
    fire4Expect: [s.timers, h4],
    deadlineTasks: s.deadlineTasks,
    deadlinesPerTask: s.deadlinesPerTask,
  };
}

/** Descriptions of the timer shapes at sizes `s`. */
export function timerShapes(s: Sizes): ShapeSpec[] {
  const span = label(Math.max(1, Math.floor(s.timers / 10)));
  return [
    {
      id: "timers-fire",
      title: `6. ${label(s.timers)} timers: arm, then fire all`,
      group: "timers",
      ops: s.timers,
      unit: "timers",
      baseline: "setTimeout",
      sizes: { timers: s.timers },
      uses: {
        "spindle-wasm": `loop.callLater(0..${span} ms) on a virtual-clock loop, then run it until all fired`,
        "spindle-ts": `loop.callLater(0..${span} ms) on a virtual-clock loop, then run it until all fired`,
        "core-wasm": "core.sleepUntil per timer, one advance(), drain() the ready queue",
        "core-ts": "core.sleepUntil per timer, one advance(), drain() the ready queue",
        tinyqueue: "push {deadline, seq, id} objects, pop them all",
        setTimeout: `setTimeout at real 1–${NODE_DELAYS} ms delays (it has no virtual clock), await the last`,
      },
    },
    {
      id: "timers-fire-4",
      title: `6b. ${label(s.timers)} timers at Node's ${NODE_DELAYS} delays: arm, then fire all`,
      group: "timers",
      ops: s.timers,
      unit: "timers",
      baseline: "setTimeout",
      sizes: { timers: s.timers, delays: NODE_DELAYS },
      uses: {
        "spindle-wasm": `loop.callLater(1..${NODE_DELAYS} ms) on a virtual-clock loop, run until all fired`,
        "spindle-ts": `loop.callLater(1..${NODE_DELAYS} ms) on a virtual-clock loop, run until all fired`,
        "core-wasm": `core.sleepUntil(1..${NODE_DELAYS}) per timer, one advance(), drain()`,
        "core-ts": `core.sleepUntil(1..${NODE_DELAYS}) per timer, one advance(), drain()`,
        tinyqueue: `push {deadline 1..${NODE_DELAYS}, seq, id} objects, pop them all`,
        setTimeout: `all ${label(s.timers)} timers at real 1..${NODE_DELAYS} ms delays, await the last`,
      },
    },
    {
      id: "deadline",
      title:
        `6c. ${label(s.deadlineTasks)} tasks × ${s.deadlinesPerTask} deadlines: ` +
        "a 5 s timeout around one turn",
      group: "timers",
      ops: s.deadlineTasks * s.deadlinesPerTask,
      unit: "deadlines",
      baseline: "setTimeout",
      sizes: { tasks: s.deadlineTasks, deadlinesPerTask: s.deadlinesPerTask },
      uses: {
        "spindle-wasm":
          "`yield* timeout(5000, oneTurn)` (a bare yield inside), on a real-clock loop",
        "spindle-ts": "`yield* timeout(5000, oneTurn)` (a bare yield inside), on a real-clock loop",
        "core-wasm":
          "core.sleepUntil(now + 5000) then core.cancelTimer, the clock 1 ms on per round",
        "core-ts": "core.sleepUntil(now + 5000) then core.cancelTimer, the clock 1 ms on per round",
        setTimeout: "async tasks: `t = setTimeout(f, 5000); await null; clearTimeout(t)`",
      },
    },
    {
      id: "timers-cancel",
      title: `7. ${label(s.cancelTimers)} timers: arm, then cancel all`,
      group: "timers",
      ops: s.cancelTimers,
      unit: "timers",
      baseline: "setTimeout",
      sizes: { timers: s.cancelTimers },
      uses: {
        "spindle-wasm": "loop.callLater, then handle.cancel() each, in arming order",
        "spindle-ts": "loop.callLater, then handle.cancel() each, in arming order",
        "core-wasm": "core.sleepUntil, then core.cancelTimer each",
        "core-ts": "core.sleepUntil, then core.cancelTimer each",
        setTimeout: `setTimeout (1–${NODE_DELAYS} ms), then clearTimeout each`,
      },
    },
  ];
}

// ── this module instance's state ─────────────────────────────────────────────────────

let fired = 0;
let hash = 0;

/** The timer callback of every implementation: count, and hash the order. */
function onFire(id: number): void {
  hash = mix(hash, id);
  fired++;
}

interface TimerObject {
  deadline: number;
  seq: number;
  id: number;
}
const byDeadlineThenSeq = (a: TimerObject, b: TimerObject): number =>
  a.deadline - b.deadline || a.seq - b.seq;

/** The cases `impl` takes part in; call it on the instance from instanceFor(impl). */
export function casesFor(impl: TimerImpl, p: TimerPlan): BenchCase[] {
  switch (impl) {
    case "spindle-wasm":
    case "spindle-ts": {
      const core: CoreKind = impl === "spindle-wasm" ? "wasm" : "ts";
      return [
        loopFire(impl, core, p),
        loopFire(impl, core, p, true),
        loopDeadline(impl, core, p),
        loopCancel(impl, core, p),
      ];
    }
    case "core-wasm":
    case "core-ts": {
      const core: CoreKind = impl === "core-wasm" ? "wasm" : "ts";
      return [
        coreFire(impl, core, p),
        coreFire(impl, core, p, true),
        coreDeadline(impl, core, p),
        coreCancel(impl, core, p),
      ];
    }
    case "tinyqueue":
      return [tinyqueueFire(p), tinyqueueFire(p, true)];
    case "setTimeout":
      return [nodeFire(p), nodeFire(p, true), nodeDeadline(p), nodeCancel(p)];
  }
}

// spindle: callLater on a loop with a virtual clock, reused by every iteration of a shape.
// One loop per shape: the ids the fire shape frees come back in firing order (scattered),
// which slows the next shape's arming measurably; each shape keeps its own pattern.

const fireLoops = new Map<string, EventLoop>();
let cancelLoop: EventLoop | undefined;
let deadlineLoop: EventLoop | undefined;

/** Shape 6's delays, or (four) 6b's: Node's 1..NODE_DELAYS ms. */
function delaysOf(p: TimerPlan, four: boolean): Float64Array {
  if (!four) return p.delays;
  const out = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) out[i] = 1 + (p.delays[i]! % NODE_DELAYS);
  return out;
}

function loopFire(impl: TimerImpl, core: CoreKind, p: TimerPlan, four = false): BenchCase {
  const n = p.n;
  const delays = delaysOf(p, four);
  const span = four ? NODE_DELAYS + 1 : p.span;
  const shape = four ? "timers-fire-4" : "timers-fire";
  return defineCase({
    shape,
    impl,
    ops: n,
    expect: four ? p.fire4Expect : p.fireExpect,
    async: true,
    setup: () => {
      let loop = fireLoops.get(shape);
      if (loop === undefined)
        fireLoops.set(shape, (loop = newEventLoop({ core, clock: "virtual" })));
      return loop;
    },
    run: async (l: EventLoop) => {
      fired = 0;
      hash = 0;
      for (let i = 0; i < n; i++) l.callLater(delays[i]!, onFire, i);
      // The main task's sleep ends after the last deadline: every timer has fired by then.
      await l.runUntilComplete(sleep(span));
      return [fired, hash];
    },
  });
}

type Co<T> = Generator<Instruction | undefined, T, unknown>;

/** Deadlines passed (6c): every implementation counts them. */
let deadlines = 0;
let deadlinesPerTask = 0;

function* oneTurn(): Co<void> {
  yield;
}

function* deadlineTask(): Co<number> {
  for (let i = deadlinesPerTask; i > 0; i--) {
    yield* timeout(5000, oneTurn);
    deadlines++;
  }
  return 1;
}

function* deadlineMain(tasks: number): Co<number[]> {
  deadlines = 0;
  const all: Task<number>[] = new Array<Task<number>>(tasks);
  for (let i = 0; i < tasks; i++) all[i] = createTask(deadlineTask);
  let sum = 0;
  for (const r of yield* gather(...all)) sum += r;
  return [sum, deadlines];
}

function loopDeadline(impl: TimerImpl, core: CoreKind, p: TimerPlan): BenchCase {
  const { deadlineTasks: t, deadlinesPerTask: k } = p;
  return defineCase({
    shape: "deadline",
    impl,
    ops: t * k,
    expect: [t, t * k, 0],
    async: true,
    setup: () => (deadlineLoop ??= newEventLoop({ core })),
    run: async (l: EventLoop) => {
      deadlinesPerTask = k;
      const result = await l.runUntilComplete(deadlineMain(t));
      // Every scope disarmed its deadline on the way out: nothing is left pending.
      return [...result, l.core.timerCount()];
    },
  });
}

function loopCancel(impl: TimerImpl, core: CoreKind, p: TimerPlan): BenchCase {
  const { cancelN, delays } = p;
  return defineCase({
    shape: "timers-cancel",
    impl,
    ops: cancelN,
    expect: [cancelN, 0, 0],
    setup: () => {
      cancelLoop ??= newEventLoop({ core, clock: "virtual" });
      return { loop: cancelLoop, handles: new Array<TimerHandle>(cancelN) };
    },
    run: ({ loop: l, handles }: { loop: EventLoop; handles: TimerHandle[] }) => {
      fired = 0;
      for (let i = 0; i < cancelN; i++) handles[i] = l.callLater(delays[i]!, onFire, i);
      let cancelled = 0;
      for (let i = 0; i < cancelN; i++) {
        handles[i]!.cancel();
        if (handles[i]!.cancelled()) cancelled++;
      }
      return [cancelled, l.core.timerCount(), fired];
    },
  });
}

// The core alone: tasks 0..n-1 spawned once per shape, in setup (fresh slots have
// generation 0), the core reused by every iteration.

const cores = new Map<string, Core>();

function coreWithTasks(shape: string, kind: CoreKind, n: number): Core {
  const cached = cores.get(shape);
  if (cached !== undefined) return cached;
  const core = createCore(kind);
  for (let i = 0; i < n; i++) {
    if (core.spawn() !== i) throw new Error(`${kind} core: spawn ${i} gave an unexpected id`);
  }
  cores.set(shape, core);
  return core;
}

function coreFire(impl: TimerImpl, kind: CoreKind, p: TimerPlan, four = false): BenchCase {
  const n = p.n;
  const delays = delaysOf(p, four);
  const shape = four ? "timers-fire-4" : "timers-fire";
  return defineCase({
    shape,
    impl,
    ops: n,
    expect: four ? p.fire4Expect : p.fireExpect,
    setup: () => {
      const core = coreWithTasks(shape, kind, n);
      if (core.timerCount() !== 0 || core.readyLength() !== 0)
        throw new Error(`${shape}: the core was not left empty`);
      return core;
    },
    run: (core: Core) => {
      for (let i = 0; i < n; i++) core.sleepUntil(i, delays[i]!);
      const due = core.advance(Infinity);
      const cap = core.batchCapacity;
      let h = 0;
      let count = 0;
      for (let k = core.drain(cap); k > 0; k = core.drain(cap)) {
        const out = core.batchOut();
        for (let i = 0; i < k; i++) h = mix(h, out[i]!);
        count += k;
      }
      return [due === count ? count : -due, h];
    },
  });
}

function coreDeadline(impl: TimerImpl, kind: CoreKind, p: TimerPlan): BenchCase {
  const { deadlineTasks: t, deadlinesPerTask: k } = p;
  let now = 0;
  return defineCase({
    shape: "deadline",
    impl,
    ops: t * k,
    expect: [t, t * k, 0],
    setup: () => coreWithTasks("deadline", kind, t),
    run: (core: Core) => {
      let count = 0;
      for (let round = 0; round < k; round++) {
        for (let i = 0; i < t; i++) {
          if (core.cancelTimer(core.sleepUntil(i, now + 5000))) count++;
        }
        core.advance(++now);
      }
      return [t, count, core.timerCount()];
    },
  });
}

function coreCancel(impl: TimerImpl, kind: CoreKind, p: TimerPlan): BenchCase {
  const { cancelN, delays } = p;
  return defineCase({
    shape: "timers-cancel",
    impl,
    ops: cancelN,
    expect: [cancelN, 0, 0],
    setup: () => ({
      core: coreWithTasks("timers-cancel", kind, cancelN),
      handles: new Int32Array(cancelN),
    }),
    run: ({ core, handles }: { core: Core; handles: Int32Array }) => {
      for (let i = 0; i < cancelN; i++) handles[i] = core.sleepUntil(i, delays[i]!);
      let cancelled = 0;
      for (let i = 0; i < cancelN; i++) if (core.cancelTimer(handles[i]!)) cancelled++;
      return [cancelled, core.timerCount(), core.advance(Infinity)];
    },
  });
}

// tinyqueue: a binary heap of timer objects.

function tinyqueueFire(p: TimerPlan, four = false): BenchCase {
  const n = p.n;
  const delays = delaysOf(p, four);
  return defineCase({
    shape: four ? "timers-fire-4" : "timers-fire",
    impl: "tinyqueue",
    ops: n,
    expect: four ? p.fire4Expect : p.fireExpect,
    setup: () => new TinyQueue<TimerObject>([], byDeadlineThenSeq),
    run: (queue: TinyQueue<TimerObject>) => {
      for (let i = 0; i < n; i++) queue.push({ deadline: delays[i]!, seq: i, id: i });
      let h = 0;
      let count = 0;
      while (queue.length > 0) {
        h = mix(h, queue.pop()!.id);
        count++;
      }
      return [count, h];
    },
  });
}

// Node: setTimeout / clearTimeout, on real time.

let sum = 0;
let left = 0;
let allFired: (() => void) | null = null;
/** Cleared timers that fired anyway (must stay 0). */
let escaped = 0;

function onNodeFire(id: number): void {
  sum += id;
  fired++;
  if (--left === 0) allFired?.();
}

function nodeFire(p: TimerPlan, four = false): BenchCase {
  const nodeN = p.n; // every implementation fires the same N timers
  const delays = p.delays;
  return defineCase({
    shape: four ? "timers-fire-4" : "timers-fire",
    impl: "setTimeout",
    ops: nodeN,
    expect: [nodeN, (nodeN * (nodeN - 1)) / 2],
    async: true,
    run: async () => {
      fired = 0;
      sum = 0;
      left = nodeN;
      const done = new Promise<void>((resolve) => (allFired = resolve));
      for (let i = 0; i < nodeN; i++) setTimeout(onNodeFire, 1 + (delays[i]! % NODE_DELAYS), i);
      await done;
      allFired = null;
      return [fired, sum];
    },
  });
}

async function nodeDeadlineTask(k: number): Promise<number> {
  for (let i = k; i > 0; i--) {
    const t = setTimeout(onEscaped, 5000);
    await null;
    clearTimeout(t);
    deadlines++;
  }
  return 1;
}

function nodeDeadline(p: TimerPlan): BenchCase {
  const { deadlineTasks: t, deadlinesPerTask: k } = p;
  return defineCase({
    shape: "deadline",
    impl: "setTimeout",
    ops: t * k,
    expect: [t, t * k, 0],
    async: true,
    run: async () => {
      deadlines = 0;
      const all: Promise<number>[] = new Array<Promise<number>>(t);
      for (let i = 0; i < t; i++) all[i] = nodeDeadlineTask(k);
      let sum = 0;
      for (const r of await Promise.all(all)) sum += r;
      return [sum, deadlines, escaped];
    },
  });
}

function onEscaped(): void {
  escaped++;
}

function nodeCancel(p: TimerPlan): BenchCase {
  const { cancelN, delays } = p;
  type Timeout = ReturnType<typeof setTimeout>;
  return defineCase({
    shape: "timers-cancel",
    impl: "setTimeout",
    ops: cancelN,
    // A timer of an earlier iteration that escaped its clearTimeout shows up in `escaped`.
    expect: [cancelN, 0, 0],
    setup: () => new Array<Timeout>(cancelN),
    run: (handles: Timeout[]) => {
      for (let i = 0; i < cancelN; i++)
        handles[i] = setTimeout(onEscaped, 1 + (delays[i]! % NODE_DELAYS));
      let cancelled = 0;
      for (let i = 0; i < cancelN; i++) {
        clearTimeout(handles[i]);
        cancelled++;
      }
      return [cancelled, 0, escaped];
    },
  });
}

// ── the suite ────────────────────────────────────────────────────────────────────────

/** This module again, as a separate instance for `impl` (see bench/kernel.ts). */
async function instanceFor(impl: TimerImpl): Promise<typeof import("./timers.js")> {
  return (await import(
    `./timers.js?impl=${encodeURIComponent(impl)}`
  )) as typeof import("./timers.js");
}

/** Every timer case, each implementation's from its own module instance. */
export async function timerCases(s: Sizes, impls = TIMER_IMPLS): Promise<BenchCase[]> {
  const p = timerPlan(s);
  const cases: BenchCase[] = [];
  for (const impl of impls) cases.push(...(await instanceFor(impl)).casesFor(impl, p));
  return cases;
}
