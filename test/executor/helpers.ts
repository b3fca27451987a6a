// Shared helpers for the executor tests: the job module, flags a job sets in shared memory
// (so a test sees what a job did even when nobody receives its result), and waits on them.

import { sleep, type Instruction } from "../../src/index.js";

/** The test jobs (plain JavaScript: worker threads load it without a TypeScript loader). */
export const JOBS = new URL("./fixtures/jobs.js", import.meta.url);

// Indexes into a job's flags. *Must* match test/executor/fixtures/jobs.js.
export const STARTED = 0;
export const SAW_ABORT = 1;
export const FINISHED = 2;

/** Flags shared with a job: pass `.buffer` to it (a SharedArrayBuffer is shared, not copied). */
export function flags(n = 4): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * Int32Array.BYTES_PER_ELEMENT));
}

/**
 * Waits (on the loop, in real time) until `f[index]` is non-zero; fails after `limitMs` — a
 * bound for a busy machine, never waited for by a passing test.
 */
export function* until(
  f: Int32Array,
  index: number,
  limitMs = 10_000,
): Generator<Instruction | undefined, number, unknown> {
  const end = performance.now() + limitMs;
  for (;;) {
    const v = Atomics.load(f, index);
    if (v !== 0) return v;
    if (performance.now() > end) throw new Error(`flag ${index} was not set within ${limitMs} ms`);
    yield* sleep(2);
  }
}

/** The same from async code. */
export async function untilAsync(f: Int32Array, index: number, limitMs = 10_000): Promise<number> {
  const end = performance.now() + limitMs;
  for (;;) {
    const v = Atomics.load(f, index);
    if (v !== 0) return v;
    if (performance.now() > end) throw new Error(`flag ${index} was not set within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
