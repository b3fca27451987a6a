// spindle/worker: what a job module imports to talk to spindle from its worker thread —
// jobSignal(), the AbortSignal of the job running on this thread, and transfer(), to send
// a result back without copying its buffers. Light on purpose: no node: imports and
// nothing of the kernel, so a worker thread does not load the event loop to read a signal.
//
// The runner (src/executor/runner.js) publishes the job it runs under a registered symbol;
// jobSignal() reads it there, so it works whichever copy of spindle the job module imports.

/** Where the runner publishes the running job. *Must* match src/executor/runner.js. */
const CURRENT = Symbol.for("spindle.executor.currentJob");

interface CurrentJob {
  signal(): AbortSignal;
}

/**
 * The AbortSignal of the job running on this worker thread: it aborts when the task waiting
 * for the job is cancelled (or its executor shuts down with cancelJobs). CPU-bound code
 * checks `signal.aborted` (or calls `signal.throwIfAborted()`) between chunks of work —
 * reading it looks at the cancel flag shared with the main thread, so it works without the
 * thread's event loop ever running; async code can also listen for its 'abort' event.
 * Throws outside a job run by a spindle executor (on the main thread, say).
 *
 * @example
 * ```ts
 * // In a job module (jobs.js, run by runInExecutor(JOBS, "countPrimes", n)), which
 * // imports it with: import { jobSignal } from "spindle/worker";
 * function countPrimes(n: number): number {
 *   const signal = jobSignal();
 *   let count = 0;
 *   for (let i = 2; i < n; i++) {
 *     if (i % 10_000 === 0) signal.throwIfAborted(); // stop early when cancelled
 *     if (isPrime(i)) count++;
 *   }
 *   return count;
 * }
 * ```
 */
export function jobSignal(): AbortSignal {
  const job = (globalThis as { [CURRENT]?: CurrentJob })[CURRENT];
  if (job === undefined)
    throw new Error(
      "spindle: jobSignal() is for code running as a job of a spindle executor " +
        "(runInExecutor / toThread), on its worker thread",
    );
  return job.signal();
}

export { transfer, Transfer, type TransferItem } from "./transfer.js";
