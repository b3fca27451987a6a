// Timers: N timers armed then fired (shape 6), N timers armed then cancelled (shape 7), at
// four levels: spindle's loop (callLater on a virtual clock, so no real time passes), the
// scheduler core alone (sleepUntil / advance / cancelTimer), an object heap (tinyqueue, what
// a timer queue in plain JavaScript looks like) and Node's own setTimeout / clearTimeout.
// Run by bench/run.ts.
//
// Inputs. Delays are pseudo-random integers in [0, N/10) ms, so about ten timers share each
// deadline and the order among ties (arming order) is tested too. Every implementation that
// can be ordered checks the exact firing order (an order-sensitive hash) against a
// reference computed independently by a counting sort; setTimeout, on real time, checks the
// count and the sum of what fired.
//
// Node's setTimeout runs on real time, so it gets fewer timers (Sizes.nodeTimers), at real
// delays of 1–4 ms: arming them takes longer than that, so the run does not sit idle, and
// ops/s is per timer as everywhere. Node keeps one list per distinct delay (four here), so
// arming is a list append where the others push onto a heap of ~N/10 distinct deadlines: a
// shape that favours Node, stated in the report. tinyqueue cannot remove an entry, so it
// has no row in shape 7.
//
// As in bench/kernel.ts, every implementation builds its cases in its own module instance.

import TinyQueue from "tinyqueue";
import { newEventLoop, sleep, type EventLoop, type TimerHandle } from "../dist/index.js";
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
  nodeN: number;
  /** [fired, sum of ids] for the first nodeN timers. */
  nodeExpect: [number, number];
  cancelN: number;
}

export function timerPlan(s: Sizes): TimerPlan {
  const n = Math.max(s.timers, s.cancelTimers, s.nodeTimers);
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
  const nodeN = s.nodeTimers;
  return {
    n: s.timers,
    span,
    delays,
    fireExpect: [s.timers, h],
    nodeN,
    nodeExpect: [nodeN, (nodeN * (nodeN - 1)) / 2],
    cancelN: s.cancelTimers,
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
      sizes: { timers: s.timers, setTimeoutTimers: s.nodeTimers },
      uses: {
        "spindle-wasm": `loop.callLater(0..${span} ms) on a virtual-clock loop, then run it until all fired`,
        "spindle-ts": `loop.callLater(0..${span} ms) on a virtual-clock loop, then run it until all fired`,
        "core-wasm": "core.sleepUntil per timer, one advance(), drain() the ready queue",
        "core-ts": "core.sleepUntil per timer, one advance(), drain() the ready queue",
        tinyqueue: "push {deadline, seq, id} objects, pop them all",
        setTimeout:
          `${label(s.nodeTimers)} setTimeout at real 1–${NODE_DELAYS} ms delays ` +
          "(fewer timers, same per-timer ops/s), await the last",
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
      return [loopFire(impl, core, p), loopCancel(impl, core, p)];
    }
    case "core-wasm":
    case "core-ts": {
      const core: CoreKind = impl === "core-wasm" ? "wasm" : "ts";
      return [coreFire(impl, core, p), coreCancel(impl, core, p)];
    }
    case "tinyqueue":
      return [tinyqueueFire(p)];
    case "setTimeout":
      return [nodeFire(p), nodeCancel(p)];
  }
}

// spindle: callLater on a loop with a virtual clock, reused by every iteration of a shape.
// One loop per shape: the ids the fire shape frees come back in firing order (scattered),
// which slows the next shape's arming measurably; each shape keeps its own pattern.

let fireLoop: EventLoop | undefined;
let cancelLoop: EventLoop | undefined;

function loopFire(impl: TimerImpl, core: CoreKind, p: TimerPlan): BenchCase {
  const { n, span, delays } = p;
  return defineCase({
    shape: "timers-fire",
    impl,
    ops: n,
    expect: p.fireExpect,
    async: true,
    setup: () => (fireLoop ??= newEventLoop({ core, clock: "virtual" })),
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

function coreFire(impl: TimerImpl, kind: CoreKind, p: TimerPlan): BenchCase {
  const { n, delays } = p;
  return defineCase({
    shape: "timers-fire",
    impl,
    ops: n,
    expect: p.fireExpect,
    setup: () => {
      const core = coreWithTasks("timers-fire", kind, n);
      if (core.timerCount() !== 0 || core.readyLength() !== 0)
        throw new Error("timers-fire: the core was not left empty");
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

function tinyqueueFire(p: TimerPlan): BenchCase {
  const { n, delays } = p;
  return defineCase({
    shape: "timers-fire",
    impl: "tinyqueue",
    ops: n,
    expect: p.fireExpect,
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

function nodeFire(p: TimerPlan): BenchCase {
  const { nodeN, delays } = p;
  return defineCase({
    shape: "timers-fire",
    impl: "setTimeout",
    ops: nodeN,
    expect: p.nodeExpect,
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
