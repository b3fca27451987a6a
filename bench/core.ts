// Benchmarks of the scheduler core alone: the WebAssembly core against its TypeScript twin,
// against the 4-ary timer heap both had before the timer wheel (heap-wasm, heap-ts: built
// from git by bench/baseline.ts), and against an object-based heap (tinyqueue over
// { deadline, seq, id } objects, what a plain JavaScript timer queue looks like) wherever
// the shape applies.
//
//   npx tsx bench/core.ts            full sizes (1M timers, 100k pending, 1k tasks)
//   npx tsx bench/core.ts --quick    a smoke run at a tenth of the sizes
//
// Shapes:
//   a. timers armed then drained: N timers at pseudo-random integer deadlines (many ties),
//      then one advance past them all and a drain of the whole ready queue.
//   b. steady-state re-arming: P timers pending; each 1 ms step advances the clock and
//      re-arms every task that fired, at now + 1..1000 ms. One op = one fire + re-arm.
//   c. ready-queue churn: T tasks all ready; each round runs the whole queue once and
//      readies every task again, through the batch API (drain + readyBatch: two crossings
//      per round) and through per-op calls (nextReady + ready: one entry each).
//   e. shape a with host tokens as targets (-2 - i) instead of tasks: the same timer work
//      without the task table, whose random reads (a cache miss per timer at a million
//      tasks, in ready and again in drain) cost both kinds of core the same.
//   d. a deadline per operation: T tasks, each with a long timer pending (a server's idle
//      timeouts), each in turn arms a 5 s timeout and cancels it (sleepUntil + cancelTimer,
//      what a `timeout` scope around one turn costs the core), the clock advancing 1 ms
//      every T operations. Nothing fires.
//
// Every case checks its result: the order in which ids came out (an order-sensitive hash)
// against a reference computed independently (bucket sorts over integer deadlines), and the
// counts. The reported time is per iteration; setup is timed apart. Nothing is asserted
// about speed: where wasm loses, the report says so.
//
// Fairness. V8 keeps type feedback per function literal, so one run function shared by the
// wasm and ts cases would see both Core classes, and whichever ran second would get
// polymorphic code (measured: up to 20% on shape a). So each implementation builds its
// cases in its own instance of this module (imported again as `core.js?impl=<name>`), with
// its own copies of the functions. The inputs and expected values are computed once.

import { pathToFileURL } from "node:url";
import TinyQueue from "tinyqueue";
import { createCore, type CoreKind } from "../dist/core/index.js";
import { BASELINE_COMMIT, loadBaseline, type BaselineCore } from "./baseline.js";
import {
  defineCase,
  printResults,
  runCases,
  type BenchCase,
  type BenchResult,
  type HarnessOptions,
} from "./harness.js";

export interface CoreBenchOptions {
  /** A tenth of the sizes and a few iterations: a smoke run, not a measurement. */
  quick?: boolean;
  /** Print the table and ratios (default true). */
  print?: boolean;
  /** Overrides of the harness's iteration and time budgets. */
  harness?: HarnessOptions;
}

const SUITE = "core";

// ── shared helpers ───────────────────────────────────────────────────────────────────

/** An order-sensitive 32-bit hash step (FNV-1a style multiply). */
function mix(h: number, id: number): number {
  return Math.imul(h ^ id, 0x01000193);
}

/** xorshift32: a deterministic stream of u32s (inlined by hand in the timed loops). */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/**
 * The operations the shapes use, which the current cores and the baseline heap cores share
 * (`ready` and `nextReady` are not on the baseline's timer-only path).
 */
type Core = BaselineCore & {
  ready(id: number): boolean;
  nextReady(): number;
  batchIn(): Int32Array;
  readyBatch(n: number): number;
  switches(id: number): number;
  wakeups(id: number): number;
};

/** Makes a core of one implementation. */
type MakeCore = () => Core;

/** A fresh core with `n` tasks, whose ids are 0..n-1 (fresh slots have generation 0). */
function coreWithTasks(make: MakeCore, impl: string, n: number): Core {
  const core = make();
  for (let i = 0; i < n; i++) {
    if (core.spawn() !== i) throw new Error(`${impl} core: spawn ${i} gave an unexpected id`);
  }
  return core;
}

function label(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

interface TimerObject {
  deadline: number;
  seq: number;
  id: number;
}
const byDeadlineThenSeq = (a: TimerObject, b: TimerObject): number =>
  a.deadline - b.deadline || a.seq - b.seq;

const MAX_DELAY = 1000; // ms: shape b re-arms at now + 1..MAX_DELAY
const ARM_SEED = 0xa11;
const REARM_SEED = 0xbee;

// ── the plan: sizes, inputs and expected results, computed once ─────────────────────

/** The implementations, each measured in its own instance of this module. */
export type Impl = CoreKind | "heap-wasm" | "heap-ts" | "tinyqueue" | "js objects";
const IMPLS: Impl[] = ["wasm", "ts", "heap-wasm", "heap-ts", "tinyqueue", "js objects"];

export interface Plan {
  /** a: timers armed then drained. */
  a: { shape: string; n: number; deadlines: Float64Array; expect: number[] };
  /** b: steady-state re-arming. */
  b: { shape: string; pending: number; steps: number; ops: number; expect: number[] };
  /** c: ready-queue churn, batch and per-op. */
  c: {
    batchShape: string;
    perOpShape: string;
    tasks: number;
    rounds: number;
    order: number;
  };
  /** d: a deadline per operation. */
  d: { shape: string; tasks: number; rounds: number; ops: number };
  /** e: shape a for tokens. */
  e: { shape: string; n: number; deadlines: Float64Array; expect: number[] };
}

export function makePlan(quick: boolean): Plan {
  const a = planA(quick ? 100_000 : 1_000_000);
  return {
    a,
    b: planB(quick ? 10_000 : 100_000, quick ? 200 : 1000),
    c: planC(1000, quick ? 20 : 200),
    d: planD(10_000, quick ? 2 : 20),
    e: planE(a),
  };
}

function planE(a: Plan["a"]): Plan["e"] {
  // The reference order of shape a, as tokens -2 - i.
  const n = a.n;
  const span = Math.max(1, Math.floor(n / 10));
  const buckets: number[][] = Array.from({ length: span }, () => []);
  for (let i = 0; i < n; i++) buckets[a.deadlines[i]!]!.push(i);
  let h = 0;
  for (const bucket of buckets) for (const i of bucket) h = mix(h, -2 - i);
  return {
    shape: `e. ${label(n)} token timers: arm, fire, drain`,
    n,
    deadlines: a.deadlines,
    expect: [n, h],
  };
}

function planD(tasks: number, rounds: number): Plan["d"] {
  const ops = tasks * rounds;
  return {
    shape: `d. ${label(tasks)} pending, x ${rounds}: sleepUntil + cancelTimer per op`,
    tasks,
    rounds,
    ops,
  };
}

function planA(n: number): Plan["a"] {
  const next = xorshift(0x5eed);
  const span = Math.max(1, Math.floor(n / 10)); // ~10 timers per deadline: ties everywhere
  const deadlines = new Float64Array(n);
  for (let i = 0; i < n; i++) deadlines[i] = next() % span;
  // Reference: a counting sort by deadline keeps arming order within a deadline.
  const buckets: number[][] = Array.from({ length: span }, () => []);
  for (let i = 0; i < n; i++) buckets[deadlines[i]!]!.push(i);
  let h = 0;
  for (const bucket of buckets) for (const id of bucket) h = mix(h, id);
  return { shape: `a. ${label(n)} timers: arm, fire, drain`, n, deadlines, expect: [n, h] };
}

function planB(pending: number, steps: number): Plan["b"] {
  // Reference: with integer deadlines and 1 ms steps, the timers due at step t are exactly
  // those armed for t, in arming order: a list per deadline.
  const due: number[][] = Array.from({ length: steps + MAX_DELAY + 1 }, () => []);
  const arm = xorshift(ARM_SEED);
  for (let id = 0; id < pending; id++) due[1 + (arm() % MAX_DELAY)]!.push(id);
  const rearm = xorshift(REARM_SEED);
  let ops = 0;
  let h = 0;
  for (let now = 1; now <= steps; now++) {
    for (const id of due[now]!) {
      h = mix(h, id);
      due[now + 1 + (rearm() % MAX_DELAY)]!.push(id);
      ops++;
    }
  }
  return {
    shape: `b. ${label(pending)} pending: re-arm for ${steps} ms`,
    pending,
    steps,
    ops,
    expect: [ops, h, pending],
  };
}

function planC(tasks: number, rounds: number): Plan["c"] {
  let order = 0;
  for (let id = 0; id < tasks; id++) order = mix(order, id);
  return {
    batchShape: `c. ${label(tasks)} tasks x ${rounds} rounds: drain + readyBatch`,
    perOpShape: `c. ${label(tasks)} tasks x ${rounds} rounds: nextReady + ready`,
    tasks,
    rounds,
    order,
  };
}

// ── the cases of one implementation ──────────────────────────────────────────────────

/**
 * The cases `impl` takes part in, built from this module instance's own functions. `heap`
 * makes a baseline core (undefined when it could not be built: those cases are left out).
 */
export function casesFor(
  impl: Impl,
  plan: Plan,
  heap?: (kind: CoreKind) => BaselineCore,
): BenchCase[] {
  switch (impl) {
    case "wasm":
    case "ts": {
      const make = (): Core => createCore(impl);
      return [
        armThenDrain(impl, make, plan.a),
        steadyRearm(impl, make, plan.b),
        churnBatch(impl, make, plan.c),
        churnPerOp(impl, make, plan.c),
        deadlinePerOp(impl, make, plan.d),
        tokensArmThenDrain(impl, plan.e),
      ];
    }
    case "heap-wasm":
    case "heap-ts": {
      if (heap === undefined) return [];
      const kind = impl === "heap-wasm" ? "wasm" : "ts";
      // The shapes below use only the baseline's timer operations and drain.
      const make = (): Core => heap(kind) as Core;
      return [
        armThenDrain(impl, make, plan.a),
        steadyRearm(impl, make, plan.b),
        deadlinePerOp(impl, make, plan.d),
      ];
    }
    case "tinyqueue":
      return [armThenDrainObjects(plan.a), steadyRearmObjects(plan.b)];
    case "js objects":
      return [churnObjects(plan.c)];
  }
}

// a. Timers armed then drained.

/** One core per module instance, reused: see armThenDrain. */
let cachedCore: Core | undefined;

function armThenDrain(
  impl: Impl,
  make: MakeCore,
  { shape, n, deadlines, expect }: Plan["a"],
): BenchCase {
  return defineCase({
    shape,
    impl,
    ops: n,
    expect,
    // An iteration leaves the core as it found it (n tasks, no timers, an empty queue), so
    // it is reused: this measures arming and firing, not growing the tables.
    setup: () => {
      cachedCore ??= coreWithTasks(make, impl, n);
      if (cachedCore.timerCount() !== 0 || cachedCore.readyLength() !== 0) {
        throw new Error("shape a: the core was not left empty");
      }
      return cachedCore;
    },
    run: (core: Core) => {
      for (let i = 0; i < n; i++) core.sleepUntil(i, deadlines[i]!);
      const fired = core.advance(Infinity);
      const cap = core.batchCapacity;
      let h = 0;
      let count = 0;
      for (let k = core.drain(cap); k > 0; k = core.drain(cap)) {
        const out = core.batchOut();
        for (let i = 0; i < k; i++) h = mix(h, out[i]!);
        count += k;
      }
      return [fired === count ? count : -fired, h];
    },
  });
}

function armThenDrainObjects({ shape, n, deadlines, expect }: Plan["a"]): BenchCase {
  return defineCase({
    shape,
    impl: "tinyqueue",
    ops: n,
    expect,
    setup: () => new TinyQueue<TimerObject>([], byDeadlineThenSeq),
    run: (queue: TinyQueue<TimerObject>) => {
      for (let i = 0; i < n; i++) queue.push({ deadline: deadlines[i]!, seq: i, id: i });
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

// b. Steady-state re-arming.

function steadyRearm(
  impl: Impl,
  make: MakeCore,
  { shape, pending, steps, ops, expect }: Plan["b"],
): BenchCase {
  return defineCase({
    shape,
    impl,
    ops,
    expect,
    setup: () => {
      const core = coreWithTasks(make, impl, pending);
      const arm = xorshift(ARM_SEED);
      for (let id = 0; id < pending; id++) core.sleepUntil(id, 1 + (arm() % MAX_DELAY));
      return core;
    },
    run: (core: Core) => {
      const cap = core.batchCapacity;
      const ids = new Int32Array(cap);
      let x = REARM_SEED;
      let h = 0;
      let count = 0;
      for (let now = 1; now <= steps; now++) {
        core.advance(now);
        for (let k = core.drain(cap); k > 0; k = core.drain(cap)) {
          // Copy first: sleepUntil may grow the wasm memory and detach the OUT view.
          ids.set(core.batchOut().subarray(0, k));
          for (let i = 0; i < k; i++) {
            const id = ids[i]!;
            h = mix(h, id);
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            core.sleepUntil(id, now + 1 + ((x >>> 0) % MAX_DELAY));
            count++;
          }
        }
      }
      return [count, h, core.timerCount()];
    },
  });
}

function steadyRearmObjects({ shape, pending, steps, ops, expect }: Plan["b"]): BenchCase {
  return defineCase({
    shape,
    impl: "tinyqueue",
    ops,
    expect,
    setup: () => {
      const arm = xorshift(ARM_SEED);
      const timers: TimerObject[] = [];
      for (let id = 0; id < pending; id++) {
        timers.push({ deadline: 1 + (arm() % MAX_DELAY), seq: id, id });
      }
      return new TinyQueue(timers, byDeadlineThenSeq);
    },
    run: (queue: TinyQueue<TimerObject>) => {
      let seq = queue.length;
      let x = REARM_SEED;
      let h = 0;
      let count = 0;
      for (let now = 1; now <= steps; now++) {
        // A re-armed timer is due at now + 1 at the earliest, so it can go straight back in.
        while (queue.length > 0 && queue.peek()!.deadline <= now) {
          const id = queue.pop()!.id;
          h = mix(h, id);
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          queue.push({ deadline: now + 1 + ((x >>> 0) % MAX_DELAY), seq: seq++, id });
          count++;
        }
      }
      return [count, h, queue.length];
    },
  });
}

// c. Ready-queue churn. The check: switches, the counters of the first and the last task,
// and the order of the last round.

/** A core with every task ready, in id order. */
function readyCore(make: MakeCore, impl: Impl, tasks: number): Core {
  const core = coreWithTasks(make, impl, tasks);
  for (let id = 0; id < tasks; id++) core.ready(id);
  return core;
}

function churnBatch(
  impl: Impl,
  make: MakeCore,
  { batchShape, tasks, rounds, order }: Plan["c"],
): BenchCase {
  return defineCase({
    shape: batchShape,
    impl,
    ops: tasks * rounds,
    expect: [tasks * rounds, rounds, rounds, order],
    setup: () => readyCore(make, impl, tasks),
    run: (core: Core) => {
      const cap = core.batchCapacity;
      let switches = 0;
      let h = 0;
      for (let r = 0; r < rounds; r++) {
        // One tick: run what was ready when it began, then hand back the wakes.
        let budget = core.readyLength();
        h = 0;
        while (budget > 0) {
          const max = budget < cap ? budget : cap;
          const k = core.drain(max);
          budget -= max;
          const out = core.batchOut();
          for (let i = 0; i < k; i++) h = mix(h, out[i]!);
          // Every task yields: its id goes straight back through the IN buffer.
          core.batchIn().set(out.subarray(0, k));
          core.readyBatch(k);
          switches += k;
        }
      }
      return [switches, core.switches(0), core.switches(tasks - 1), h];
    },
  });
}

function churnPerOp(
  impl: Impl,
  make: MakeCore,
  { perOpShape, tasks, rounds, order }: Plan["c"],
): BenchCase {
  return defineCase({
    shape: perOpShape,
    impl,
    ops: tasks * rounds,
    // nextReady records no switch; wakeups count the initial ready too.
    expect: [tasks * rounds, rounds + 1, rounds + 1, order],
    setup: () => readyCore(make, impl, tasks),
    run: (core: Core) => {
      let switches = 0;
      let h = 0;
      for (let r = 0; r < rounds; r++) {
        h = 0;
        for (let i = 0; i < tasks; i++) {
          const id = core.nextReady();
          h = mix(h, id);
          core.ready(id);
          switches++;
        }
      }
      return [switches, core.wakeups(0), core.wakeups(tasks - 1), h];
    },
  });
}

// e. Shape a for host tokens (the current cores only: the heap core had no tokens).

function tokensArmThenDrain(impl: CoreKind, { shape, n, deadlines, expect }: Plan["e"]): BenchCase {
  return defineCase({
    shape,
    impl,
    ops: n,
    expect,
    setup: () => {
      cachedTokenCore ??= createCore(impl);
      return { core: cachedTokenCore, out: new Int32Array(n) };
    },
    run: ({ core, out }: { core: ReturnType<typeof createCore>; out: Int32Array }) => {
      for (let i = 0; i < n; i++) core.arm(-2 - i, deadlines[i]!);
      const fired = core.advance(Infinity);
      const count = core.drainInto(out);
      let h = 0;
      for (let i = 0; i < count; i++) h = mix(h, out[i]!);
      return [fired === count ? count : -fired, h];
    },
  });
}

/** One core per module instance for shape e, reused as shape a's. */
let cachedTokenCore: ReturnType<typeof createCore> | undefined;

// d. A deadline per operation: arm a timeout, run (nothing here), cancel it.

/** The timeout each operation arms: far enough that nothing ever fires. */
const OP_TIMEOUT = 5000;

function deadlinePerOp(
  impl: Impl,
  make: MakeCore,
  { shape, tasks, rounds, ops }: Plan["d"],
): BenchCase {
  return defineCase({
    shape,
    impl,
    ops,
    expect: [ops, tasks, 0],
    setup: () => {
      const core = coreWithTasks(make, impl, tasks);
      // One long timer per task, spread over an hour: never due during the run.
      const arm = xorshift(ARM_SEED);
      for (let id = 0; id < tasks; id++) core.sleepUntil(id, 2 * OP_TIMEOUT + (arm() % 3600_000));
      return core;
    },
    run: (core: Core) => {
      let cancelled = 0;
      let fired = 0;
      for (let now = 1; now <= rounds; now++) {
        fired += core.advance(now);
        for (let id = 0; id < tasks; id++) {
          const h = core.sleepUntil(id, now + OP_TIMEOUT);
          if (core.cancelTimer(h)) cancelled++;
        }
      }
      return [cancelled, core.timerCount(), fired];
    },
  });
}

interface ObjectTask {
  id: number;
  queued: boolean;
  switches: number;
}

function churnObjects({ batchShape, tasks, rounds, order }: Plan["c"]): BenchCase {
  return defineCase({
    shape: batchShape,
    impl: "js objects",
    ops: tasks * rounds,
    expect: [tasks * rounds, rounds, rounds, order],
    setup: (): ObjectTask[] =>
      Array.from({ length: tasks }, (_, id) => ({ id, queued: true, switches: 0 })),
    run: (all: ObjectTask[]) => {
      // What a scheduler written in plain JavaScript does: swap the ready array per tick.
      let ready = all.slice();
      let switches = 0;
      let h = 0;
      for (let r = 0; r < rounds; r++) {
        const batch = ready;
        ready = [];
        h = 0;
        for (let i = 0; i < batch.length; i++) {
          const task = batch[i]!;
          task.queued = false;
          task.switches++;
          h = mix(h, task.id);
          switches++;
          // The task yields: ready it again unless something already did.
          if (!task.queued) {
            task.queued = true;
            ready.push(task);
          }
        }
      }
      return [switches, all[0]!.switches, all[tasks - 1]!.switches, h];
    },
  });
}

// ── the suite ────────────────────────────────────────────────────────────────────────

/** This module again, as a separate instance for `impl` (see "Fairness" above). */
async function instanceFor(impl: Impl): Promise<typeof import("./core.js")> {
  return (await import(`./core.js?impl=${encodeURIComponent(impl)}`)) as typeof import("./core.js");
}

/**
 * Runs the core suite and returns one result per case; prints a table and the wasm/ts
 * ratios unless `print` is false. Throws if any case returns a wrong check value.
 *
 * @example
 * ```ts
 * import { runCoreBench } from "./bench/core.js";
 * const results = await runCoreBench({ quick: true, print: false });
 * ```
 */
export async function runCoreBench(options: CoreBenchOptions = {}): Promise<BenchResult[]> {
  const quick = options.quick === true;
  const plan = makePlan(quick);
  const baseline = await loadBaseline();
  const heap = typeof baseline === "string" ? undefined : baseline.createCore;
  if (typeof baseline === "string") console.log(`(no heap-wasm / heap-ts rows: ${baseline})`);
  const cases: BenchCase[] = [];
  for (const impl of IMPLS) cases.push(...(await instanceFor(impl)).casesFor(impl, plan, heap));

  // Big shapes get a fixed number of iterations; small ones also a time budget. Two rounds
  // in opposite orders, so no implementation always runs first (or last).
  const big: HarnessOptions = quick
    ? { iterations: 2, time: 0, warmupIterations: 1, warmupTime: 0, rounds: 1 }
    : { iterations: 4, time: 0, warmupIterations: 1, warmupTime: 0, rounds: 2 };
  const small: HarnessOptions = quick
    ? { iterations: 3, time: 0, warmupIterations: 1, warmupTime: 0, rounds: 1 }
    : { iterations: 10, time: 300, warmupIterations: 5, warmupTime: 100, rounds: 2 };
  const shapes: [string, HarnessOptions][] = [
    [plan.a.shape, big],
    [plan.b.shape, small],
    [plan.c.batchShape, small],
    [plan.c.perOpShape, small],
    [plan.d.shape, small],
    [plan.e.shape, big],
  ];
  const results: BenchResult[] = [];
  for (const [shape, budget] of shapes) {
    const group = cases.filter((c) => c.shape === shape);
    results.push(...(await runCases(SUITE, group, { ...budget, ...options.harness })));
  }
  if (options.print !== false) {
    printResults(results, {
      title:
        `spindle core benchmark${quick ? " (--quick: smoke sizes, not a measurement)" : ""}` +
        ` — Node ${process.version}, ${process.arch}; heap-* = the core at ` +
        BASELINE_COMMIT.slice(0, 7),
    });
  }
  return results;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  await runCoreBench({ quick: process.argv.includes("--quick") });
}
