// What the executor costs the loop's thread: main-thread CPU time per job, spindle against
// piscina called directly, measured side by side in interleaved rounds.
//
//   npx tsx bench/executor-cpu.ts [fib n = 15] [jobs per round = 5000]
//
// WHY a second measurement. bench/executor.ts reports jobs/s, the figure users feel, but on
// a small machine shared with other work, wall time moves by ±50% from run to run (the two
// worker threads and the main thread compete with everything else for the cores). The main
// thread's own CPU time does not depend on how much of the machine the workers get: it is
// what dispatching and collecting a job costs, read from /proc/self/task/<pid>/stat (the
// main thread's utime + stime, in 10 ms ticks: rounds are long enough for that to be ~1%).
// Linux only.
//
// Rows: `spindle yield*` (N tasks via gather, each `yield* runInExecutor`), `spindle await`
// (one async-function task awaiting N runInExecutor Promises), `executor.submit` (the
// executor alone, no loop: N Promises), `piscina` (N pool.run()). The gaps between rows
// split the cost: the executor layer (submit − piscina), awaiting on a loop (await −
// submit), a task per job (yield* − await).
// Both pools: two threads (one per core here), warmed up, one job per thread, no timing.

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import {
  ThreadPoolExecutor,
  gather,
  newEventLoop,
  runInExecutor,
  setDefaultExecutor,
} from "../dist/index.js";
import { piscinaFor } from "./executor.js";

const JOBS = new URL("./executor-jobs.js", import.meta.url);
const n = Number(process.argv[2] ?? 15);
const N = Number(process.argv[3] ?? 5000);
const ROUNDS = 6;
/** ms per clock tick of /proc's utime and stime (USER_HZ: 100 on Linux). */
const TICK_MS = 10;
const THREADS = availableParallelism();

function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
}

if (process.platform !== "linux") {
  console.log("bench/executor-cpu.ts reads /proc: Linux only");
  process.exit(0);
}

const loop = newEventLoop();
const executor = new ThreadPoolExecutor({
  maxWorkers: THREADS,
  minWorkers: THREADS,
  execArgv: [],
});
setDefaultExecutor(loop, executor);
const pool = piscinaFor(JOBS, THREADS);

function fib(k: number): number {
  return k < 2 ? k : fib(k - 1) + fib(k - 2);
}
const expect = N * fib(n);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

const impls: Record<string, () => Promise<number>> = {
  "spindle yield*": () =>
    loop.runUntilComplete(function* () {
      const ops = Array.from({ length: N }, () => runInExecutor<number>(JOBS, "fib", n));
      return sum(yield* gather(...ops));
    }),
  "spindle await": () =>
    loop.runUntilComplete(async () => {
      const all = Array.from({ length: N }, () => runInExecutor<number>(JOBS, "fib", n));
      return sum(await Promise.all(all));
    }),
  "executor.submit": async () => {
    const all = Array.from({ length: N }, () => executor.submit<number>(JOBS, "fib", [n]));
    return sum(await Promise.all(all));
  },
  piscina: async () => {
    const all = Array.from({ length: N }, () => pool.run(n) as Promise<number>);
    return sum(await Promise.all(all));
  },
};

const cpu: Record<string, number[]> = {};
const wall: Record<string, number[]> = {};
for (const k of Object.keys(impls)) {
  cpu[k] = [];
  wall[k] = [];
  await impls[k]!(); // warm-up
}
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? Object.keys(impls) : Object.keys(impls).reverse();
  for (const k of order) {
    const c0 = mainThreadCpuMs();
    const t0 = performance.now();
    const got = await impls[k]!();
    wall[k]!.push(performance.now() - t0);
    cpu[k]!.push(mainThreadCpuMs() - c0);
    if (got !== expect) throw new Error(`${k}: check failed: ${got}, expected ${expect}`);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(
  `${N} jobs of fib(${n}) per round, ${THREADS} threads, median of ${ROUNDS} interleaved rounds`,
);
const base = median(cpu["piscina"]!) / N;
for (const k of Object.keys(impls)) {
  const perJob = (median(cpu[k]!) / N) * 1000;
  const vs =
    k === "piscina"
      ? ""
      : ` (${((median(cpu[k]!) / N / base - 1) * 100).toFixed(0)}% over piscina)`;
  console.log(
    `${k.padEnd(15)} main-thread CPU ${perJob.toFixed(1)} µs/job${vs}; ` +
      `${((N / median(wall[k]!)) * 1000).toFixed(0)} jobs/s`,
  );
}
await pool.destroy();
await loop.close();
