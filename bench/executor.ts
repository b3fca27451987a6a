// The executor: jobs/s of a small CPU-bound function run on worker threads through spindle
// (runInExecutor, on a loop's default executor) against the same function run through
// piscina directly — the library spindle's executor is built on, so the difference is what
// spindle adds: its own FIFO queue, a task per job, a slot of shared job state, the waker
// and the loop's wake-ups. Run by bench/run.ts.
//
// Shapes (N jobs in flight at once, all awaited; both pools have the same threads, one per
// core, started and warmed up in setup, untimed):
//   10a. tiny jobs   fib(TINY) — a few µs of work: the per-job overhead dominates
//   10b. small jobs  fib(SMALL) — about a fifth of a ms: the work dominates
//
// Both sides use the same piscina options (threads = os.availableParallelism(), one job per
// thread, recordTiming off, execArgv [] so the threads do not load tsx); piscina's side runs
// the job module's `fib` itself, spindle's goes through its runner (src/executor/runner.js).
// On a 2-core machine the main thread (dispatching, collecting) competes with both workers
// for the cores: that is the situation the numbers describe.
//
// Each case checks the sum of the N results. Pools and loops live for the whole run (the
// threads are unref'd: they do not keep the process alive).

import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import {
  ThreadPoolExecutor,
  gather,
  newEventLoop,
  runInExecutor,
  setDefaultExecutor,
  type EventLoop,
  type Instruction,
} from "../dist/index.js";
import type { CoreKind } from "../dist/core/index.js";
import { defineCase, type BenchCase } from "./harness.js";
import { label, type ShapeSpec, type Sizes } from "./plan.js";

export type ExecutorImpl = "spindle-wasm" | "spindle-ts" | "piscina";
export const EXECUTOR_IMPLS: ExecutorImpl[] = ["spindle-wasm", "spindle-ts", "piscina"];

/** fib(15): ~2,000 calls, a few µs. */
const TINY = 15;
/** fib(22): ~57,000 calls, ~0.2 ms on this machine's cores. */
const SMALL = 22;

const JOBS = new URL("./executor-jobs.js", import.meta.url);
const THREADS = availableParallelism();

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** Descriptions of the executor shapes at sizes `s`. */
export function executorShapes(s: Sizes): ShapeSpec[] {
  const shape = (id: string, title: string, n: number): ShapeSpec => ({
    id,
    title,
    group: "executor",
    ops: s.executorJobs,
    unit: "jobs",
    baseline: "piscina",
    sizes: { jobs: s.executorJobs, fib: n, threads: THREADS },
    uses: {
      "spindle-wasm": `yield* gather(...N × runInExecutor(module, "fib", ${n})) on a loop whose default executor has ${THREADS} threads`,
      "spindle-ts": `the same on the TS core`,
      piscina: `await Promise.all(N × pool.run(${n}, { name: "fib" })), piscina ${Piscina.version} called directly, ${THREADS} threads`,
    },
  });
  return [
    shape("executor-tiny", `10a. executor: ${label(s.executorJobs)} tiny jobs, fib(${TINY})`, TINY),
    shape(
      "executor-small",
      `10b. executor: ${label(s.executorJobs)} small jobs, fib(${SMALL})`,
      SMALL,
    ),
  ];
}

// ── this module instance's state ─────────────────────────────────────────────────────

let jobs = 0;
let loop: EventLoop | undefined;
let pool: Piscina | undefined;

function* spindleMain(n: number): Generator<Instruction | undefined, number, unknown> {
  const ops = new Array<ReturnType<typeof runInExecutor<number>>>(jobs);
  for (let i = 0; i < jobs; i++) ops[i] = runInExecutor<number>(JOBS, "fib", n);
  const results = yield* gather(...ops);
  let sum = 0;
  for (const r of results) sum += r;
  return sum;
}

async function spindleLoop(core: CoreKind): Promise<EventLoop> {
  if (loop !== undefined) return loop;
  const l = newEventLoop({ core });
  setDefaultExecutor(
    l,
    new ThreadPoolExecutor({ maxWorkers: THREADS, minWorkers: THREADS, execArgv: [] }),
  );
  // Warm up: every thread started, the module loaded, the code optimised a little.
  await l.runUntilComplete(function* () {
    for (let i = 0; i < 4; i++) {
      const ops = Array.from({ length: 4 * THREADS }, () =>
        runInExecutor<number>(JOBS, "fib", TINY),
      );
      yield* gather(...ops);
    }
  });
  return (loop = l);
}

/**
 * piscina, set up as spindle's executor sets it up (bench/executor-cpu.ts uses it too):
 * `threads` threads started at once and kept, one job per thread, no timing, no tsx.
 */
export function piscinaFor(module: URL, threads: number): Piscina {
  return new Piscina({
    filename: module.href,
    name: "fib",
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Infinity,
    concurrentTasksPerWorker: 1,
    recordTiming: false,
    execArgv: [],
  });
}

async function piscinaPool(): Promise<Piscina> {
  if (pool !== undefined) return pool;
  const p = piscinaFor(JOBS, THREADS);
  for (let i = 0; i < 4; i++)
    await Promise.all(Array.from({ length: 4 * THREADS }, () => p.run(TINY)));
  return (pool = p);
}

async function piscinaMain(p: Piscina, n: number): Promise<number> {
  const all = new Array<Promise<number>>(jobs);
  for (let i = 0; i < jobs; i++) all[i] = p.run(n) as Promise<number>;
  const results = await Promise.all(all);
  let sum = 0;
  for (const r of results) sum += r;
  return sum;
}

/** The cases `impl` takes part in; call it on the instance from instanceFor(impl). */
export function casesFor(impl: ExecutorImpl, s: Sizes): BenchCase[] {
  jobs = s.executorJobs;
  return executorShapes(s).map((shape) => {
    const n = shape.sizes["fib"]!;
    const common = { shape: shape.id, impl, ops: jobs, expect: jobs * fib(n), async: true };
    if (impl === "piscina")
      return defineCase({
        ...common,
        setup: piscinaPool,
        run: (p: Piscina) => piscinaMain(p, n),
      });
    const core: CoreKind = impl === "spindle-wasm" ? "wasm" : "ts";
    return defineCase({
      ...common,
      setup: () => spindleLoop(core),
      run: (l: EventLoop) => l.runUntilComplete(() => spindleMain(n)),
    });
  });
}

/** This module again, as a separate instance for `impl` (see bench/kernel.ts). */
async function instanceFor(impl: ExecutorImpl): Promise<typeof import("./executor.js")> {
  return (await import(
    `./executor.js?impl=${encodeURIComponent(impl)}`
  )) as typeof import("./executor.js");
}

/** Every executor case, each implementation's from its own module instance. */
export async function executorCases(s: Sizes, impls = EXECUTOR_IMPLS): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  for (const impl of impls) cases.push(...(await instanceFor(impl)).casesFor(impl, s));
  return cases;
}
