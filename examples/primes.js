// The job examples/executor.ts runs on a worker thread: plain JavaScript, so a worker thread
// loads it with Node's own loader whatever runs the example (tsx, or vitest for its test).
// It imports only spindle/worker, the light entry point for code running as a job.

import { jobSignal } from "spindle/worker";

/** How many numbers a job checks between two looks at its signal. */
const CHECK_EVERY = 10_000;

/**
 * Counts the primes below `limit` by trial division: CPU-bound, about a tenth of a second for half a
 * million. When it runs as a job it stops early if its task is cancelled; called on the
 * main thread (no job), it just counts.
 */
export function countPrimes(limit) {
  let signal = null;
  try {
    signal = jobSignal();
  } catch {
    // not running as a job: nobody can cancel it
  }
  let count = 0;
  for (let n = 2; n < limit; n++) {
    if (signal !== null && n % CHECK_EVERY === 0) signal.throwIfAborted();
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}
