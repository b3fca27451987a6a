// A small benchmark harness over tinybench, shared by every suite (bench/core.ts: the core's
// shapes; bench/kernel.ts and bench/timers.ts: the kernel against async/await, Effection and
// Effect, orchestrated by bench/run.ts).
//
// A suite is a list of cases; a case is one workload shape on one implementation. The
// harness runs the cases side by side in one process, times each iteration of `run` (its
// `setup` is timed apart and reported apart), and checks that every iteration returns the
// value the case expects: a benchmark whose result is wrong measures nothing, so a failed
// check throws. Speed is reported, never asserted.
//
// Caveat on fairness: cases share this process, so the JIT, the GC and the heap they leave
// behind are shared too. Cases of one shape run back to back; give each shape its own
// run-function per implementation where call-site feedback matters.

import { isDeepStrictEqual } from "node:util";
import { Bench } from "tinybench";

/** One workload shape on one implementation. */
export interface BenchCase<S = unknown> {
  /** The workload, e.g. "1M timers: arm, fire, drain". Cases of one shape are compared. */
  shape: string;
  /** The implementation, e.g. "wasm", "ts", "tinyqueue". */
  impl: string;
  /** Untimed; runs before every iteration (warm-up included). Its result is run's argument. */
  setup?: () => S | Promise<S>;
  /** The timed work. Returns a check value: a count, a checksum, a small tuple. */
  run: (state: S) => unknown;
  /** What `run` must return, every iteration (compared with isDeepStrictEqual). */
  expect: unknown;
  /** Operations per iteration, for ops/s; 1 (the default) makes ops/s iterations/s. */
  ops?: number;
  /** `run` returns a Promise to await inside the timed window. */
  async?: boolean;
}

/**
 * Erases a case's state type, so that cases with different setups fit in one list.
 *
 * @example
 * ```ts
 * const cases = [
 *   defineCase({ shape: "push 1e5", impl: "array", setup: () => [] as number[],
 *                run: (a) => { for (let i = 0; i < 1e5; i++) a.push(i); return a.length; },
 *                expect: 1e5, ops: 1e5 }),
 * ];
 * ```
 */
export function defineCase<S>(c: BenchCase<S>): BenchCase {
  return c as unknown as BenchCase;
}

/** How long to measure each case. */
export interface HarnessOptions {
  /** Minimum measured iterations per case, in each round. */
  iterations?: number;
  /** Minimum measuring time per case and round, in ms (it measures until both are met). */
  time?: number;
  /** Warm-up iterations per case (setup and check included), before measuring. */
  warmupIterations?: number;
  /** Minimum warm-up time per case, in ms. */
  warmupTime?: number;
  /**
   * Rounds over the whole list, the order reversed every other round; each round measures
   * `iterations` more samples per case. Running first or last in a process skews a case
   * (the JIT's and the GC's state), and alternating spreads that over all of them.
   */
  rounds?: number;
  /**
   * How many of the rounds warm each case up first (default: all). Later rounds find the
   * code already optimised; skipping their warm-up saves a slow case's iterations.
   */
  warmupRounds?: number;
}

/** What one case measured. */
export interface BenchResult {
  suite: string;
  shape: string;
  impl: string;
  /** Median time of one `run`, in ms. */
  medianMs: number;
  /** `ops` per second at the median time. */
  opsPerSec: number;
  /** Every measured `run` time, in ms, sorted ascending (as tinybench keeps them). */
  samples: number[];
  /** The check value of the last iteration (equal to the case's `expect`). */
  check: unknown;
  /** Operations per iteration. */
  ops: number;
  /** Median time of one `setup`, in ms (0 without a setup). */
  setupMedianMs: number;
  /** Every measured `setup` time, in ms, in the order measured (empty without a setup). */
  setupSamples: number[];
}

/** Observers of a runCases call (progress lines and the like); they must not throw. */
export interface HarnessHooks {
  /** Called before each case is measured, once per round. */
  onCase?: (info: { case: BenchCase; round: number; rounds: number }) => void;
}

/** Thrown when a case's run returns something other than its `expect`. */
export class CheckError extends Error {
  override name = "CheckError";
}

export const DEFAULT_OPTIONS: Required<HarnessOptions> = {
  iterations: 10,
  time: 500,
  warmupIterations: 3,
  warmupTime: 100,
  rounds: 1,
  warmupRounds: Infinity,
};

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * Runs `cases` one after another in this process (`rounds` times, alternating the order),
 * and returns one result per case in the order given. Throws CheckError as soon as a run's
 * check value differs from its `expect`, and rethrows what a setup or run throws.
 *
 * @example
 * ```ts
 * const results = await runCases("demo", [
 *   { shape: "sum 1e6", impl: "loop", run: () => sum(1e6), expect: 499999500000, ops: 1e6 },
 *   defineCase({ shape: "sum 1e6", impl: "reduce", setup: () => range(1e6),
 *                run: (xs) => xs.reduce((a, b) => a + b, 0), expect: 499999500000, ops: 1e6 }),
 * ]);
 * printResults(results);
 * ```
 */
export async function runCases(
  suite: string,
  cases: readonly BenchCase[],
  options: HarnessOptions = {},
  hooks: HarnessHooks = {},
): Promise<BenchResult[]> {
  const o = { ...DEFAULT_OPTIONS, ...options };
  const measured = cases.map((): Measured => ({ samples: [], setupMs: [], check: undefined }));
  const rounds = Math.max(1, o.rounds);
  for (let round = 0; round < rounds; round++) {
    const order = cases.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      hooks.onCase?.({ case: cases[i]!, round, rounds });
      const warm = round < o.warmupRounds ? o : { ...o, warmupIterations: 0, warmupTime: 0 };
      const m = await measure(suite, cases[i]!, warm);
      measured[i]!.samples.push(...m.samples);
      measured[i]!.setupMs.push(...m.setupMs);
      measured[i]!.check = m.check;
    }
  }
  return cases.map((c, i) => {
    const { samples, setupMs, check } = measured[i]!;
    samples.sort((a, b) => a - b);
    const ops = c.ops ?? 1;
    const medianMs = median(samples);
    return {
      suite,
      shape: c.shape,
      impl: c.impl,
      medianMs,
      opsPerSec: medianMs > 0 ? (ops * 1000) / medianMs : Infinity,
      samples,
      check,
      ops,
      setupMedianMs: setupMs.length > 0 ? median(setupMs) : 0,
      setupSamples: setupMs,
    };
  });
}

interface Measured {
  samples: number[];
  setupMs: number[];
  check: unknown;
}

/** One tinybench run of one case: its samples, its setup times and its last check value. */
async function measure(
  suite: string,
  c: BenchCase,
  o: Required<HarnessOptions>,
): Promise<Measured> {
  const label = `${suite} / ${c.shape} / ${c.impl}`;
  let state: unknown;
  let last: unknown;
  let failure: CheckError | undefined;
  const setupMs: number[] = [];

  const bench = new Bench({
    name: suite,
    iterations: o.iterations,
    time: o.time,
    warmupIterations: o.warmupIterations,
    warmupTime: o.warmupTime,
    warmup: o.warmupIterations > 0 || o.warmupTime > 0,
    retainSamples: true,
    throws: true,
    // A collected heap per case, when the process allows it (node --expose-gc).
    setup: () => (globalThis as { gc?: () => void }).gc?.(),
  });
  const fn = c.async
    ? async () => {
        last = await c.run(state);
      }
    : () => {
        last = c.run(state);
      };
  bench.add(label, fn, {
    async: c.async === true,
    beforeEach: async (mode) => {
      const t0 = performance.now();
      state = c.setup === undefined ? undefined : await c.setup();
      if (mode === "run" && c.setup !== undefined) setupMs.push(performance.now() - t0);
    },
    afterEach: () => {
      state = undefined;
      if (failure === undefined && !isDeepStrictEqual(last, c.expect)) {
        failure = new CheckError(
          `${label}: check failed: run returned ${show(last)}, expected ${show(c.expect)}`,
        );
      }
    },
  });
  const task = bench.getTask(label)!;

  await bench.run();
  if (failure !== undefined) throw failure;
  const result = task.result;
  if (result.state === "errored") throw result.error;
  if (result.state !== "completed") throw new Error(`${label}: benchmark ${result.state}`);
  return { samples: [...(result.latency.samples ?? [])], setupMs, check: last };
}

// ── reporting ────────────────────────────────────────────────────────────────────────

function fmtMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toPrecision(3);
}

function fmtRate(perSec: number): string {
  if (!Number.isFinite(perSec)) return String(perSec);
  if (perSec >= 1e9) return `${(perSec / 1e9).toFixed(2)} G`;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)} M`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k`;
  return perSec.toFixed(1);
}

/** The results as an aligned text table, one row per case. */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ["shape", "impl", "median ms", "ops/s", "setup ms", "n", "check"];
  const rows = results.map((r) => [
    r.shape,
    r.impl,
    fmtMs(r.medianMs),
    fmtRate(r.opsPerSec),
    r.setupMedianMs > 0 ? fmtMs(r.setupMedianMs) : "-",
    String(r.samples.length),
    "ok",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const numeric = new Set([2, 3, 4, 5]);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** How `subject` compares with every other implementation, per shape. */
export interface Ratio {
  shape: string;
  subject: string;
  other: string;
  /** subject median / other median: below 1, the subject is faster. */
  ratio: number;
}

/** The ratio of `subject` ("wasm") to every other implementation, for each shape. */
export function ratios(results: readonly BenchResult[], subject = "wasm"): Ratio[] {
  const out: Ratio[] = [];
  const shapes = [...new Set(results.map((r) => r.shape))];
  for (const shape of shapes) {
    const own = results.find((r) => r.shape === shape && r.impl === subject);
    if (own === undefined) continue;
    for (const other of results) {
      if (other.shape !== shape || other.impl === subject) continue;
      out.push({ shape, subject, other: other.impl, ratio: own.medianMs / other.medianMs });
    }
  }
  return out;
}

/** One line per ratio, with a loud one wherever the subject loses. */
export function formatRatios(results: readonly BenchResult[], subject = "wasm"): string {
  return ratios(results, subject)
    .map(({ shape, other, ratio }) => {
      const r = `${subject}/${other} = ${ratio.toFixed(2)}`;
      if (ratio <= 1) return `  ${shape}: ${r} (${subject} ${(1 / ratio).toFixed(2)}x faster)`;
      return `  ${shape}: ${r}  <<< ${subject.toUpperCase()} LOSES: ${ratio.toFixed(2)}x slower than ${other}`;
    })
    .join("\n");
}

/** Prints the table and the ratios of `subject` to the other implementations, per shape. */
export function printResults(
  results: readonly BenchResult[],
  options: { title?: string; subject?: string } = {},
): void {
  if (options.title !== undefined) console.log(`\n${options.title}\n`);
  console.log(formatTable(results));
  const lines = formatRatios(results, options.subject ?? "wasm");
  if (lines !== "")
    console.log(`\nratios, same run (median / median; below 1 is faster):\n${lines}`);
}
