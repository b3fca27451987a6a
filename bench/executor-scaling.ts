// How far one machine goes with worker threads: the same CPU-bound work — JOBS jobs of a
// fixed count of fib() calls — run through runInExecutor on executors of 1, 2, … threads
// (up to one more than the cores), taking turns, each figure the best of ROUNDS rounds
// (other processes only ever make a round slower); then what a thread costs: start-up time
// and RSS.
//
//   node --expose-gc --import tsx bench/executor-scaling.ts
//
// Figures for docs/scaling.md. Not part of `npm run bench`: its point is the shape of the
// curve on the machine at hand, not a comparison.

import { availableParallelism, loadavg } from "node:os";
import {
  ThreadPoolExecutor,
  gather,
  newEventLoop,
  runInExecutor,
  setDefaultExecutor,
  type EventLoop,
} from "../dist/index.js";

const MODULE = new URL("./executor-jobs.js", import.meta.url);
const JOBS = 16;
/** fib(30): ~1.7M calls, about 10 ms of CPU per job. */
const N = 30;
const ROUNDS = 7;
const cores = availableParallelism();

/** A loop whose default executor has `threads` threads, all started and warm. */
async function loopWith(threads: number): Promise<EventLoop> {
  const loop = newEventLoop();
  setDefaultExecutor(
    loop,
    new ThreadPoolExecutor({ maxWorkers: threads, minWorkers: threads, execArgv: [] }),
  );
  await batch(loop);
  return loop;
}

function batch(loop: EventLoop): Promise<void> {
  return loop.runUntilComplete(function* () {
    yield* gather(...Array.from({ length: JOBS }, () => runInExecutor(MODULE, "fib", N)));
  });
}

console.log(
  `${JOBS} jobs of fib(${N}); ${cores} cores; load average ${loadavg()[0]!.toFixed(1)} at start`,
);
// Every thread count in turn, round after round: a burst of load from other processes
// then hits all counts alike, and each keeps its best round.
const counts = Array.from({ length: cores + 1 }, (_, i) => i + 1);
const loops = await Promise.all(counts.map(loopWith));
const best = counts.map(() => Infinity);
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, loop] of loops.entries()) {
    const t0 = performance.now();
    await batch(loop);
    best[i] = Math.min(best[i]!, performance.now() - t0);
  }
}
for (const [i, threads] of counts.entries()) {
  const ms = best[i]!;
  console.log(
    `${threads} thread${threads > 1 ? "s" : " "}: ${ms.toFixed(0).padStart(5)} ms, ` +
      `${((JOBS / ms) * 1000).toFixed(0).padStart(5)} jobs/s, speed-up ${(best[0]! / ms).toFixed(2)}×`,
  );
}
await Promise.all(loops.map((l) => l.close()));

// What a thread costs: start-up (until its first job returns) and resident memory.
const gc = (globalThis as { gc?: () => void }).gc;
const THREADS = 4;
gc?.();
const rss0 = process.memoryUsage().rss;
const executor = new ThreadPoolExecutor({ maxWorkers: THREADS, minWorkers: THREADS, execArgv: [] });
const t0 = performance.now();
await Promise.all(Array.from({ length: THREADS }, () => executor.submit(MODULE, "fib", [1])));
const startup = performance.now() - t0;
await new Promise((resolve) => setTimeout(resolve, 200));
gc?.();
const rss = (process.memoryUsage().rss - rss0) / THREADS / 2 ** 20;
console.log(
  `${THREADS} threads started and answered in ${startup.toFixed(0)} ms; ` +
    `RSS ${gc === undefined ? "(run with --expose-gc) " : ""}+${rss.toFixed(1)} MiB per thread`,
);
await executor.shutdown();
console.log(`load average ${loadavg()[0]!.toFixed(1)} at the end`);
