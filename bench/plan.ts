// What the suite measures and how long: the modes, the sizes of every shape in each mode,
// the measuring budgets, and the shape descriptions that the reports print.
//
// Sizes. The sizes (10k tasks, 1M yield*s, 1M timers, 1M sleeping tasks) are used
// by default wherever one iteration of the slowest implementation stays well under a second
// or two; where it would not (spindle's callLater at 1M takes ~2 s an iteration, Effection
// spends ~25 µs per task), the default is scaled down and `--full` restores the issue's
// size. Every report prints the sizes it used.

import type { HarnessOptions } from "./harness.js";

export type Mode = "quick" | "default" | "full";

/** The size of every shape, for one mode. */
export interface Sizes {
  /** run-overhead: run() calls per iteration (a fresh loop each). */
  runs: number;
  /** 1. tasks, and bare yields per task. */
  yieldTasks: number;
  yieldsPerTask: number;
  /** 2a/2b. yield*s in the chain. */
  chain: number;
  /** 3. ping-pong round trips (two messages each). */
  roundTrips: number;
  /** 5b. greenlet switches (and the raw generator limit's hand-offs). */
  switches: number;
  /** 5b. hand-offs between two tasks through Queue(1)s (several times the cost of a switch). */
  queueSwitches: number;
  /** 4. tasks, and sleep(0)s per task. */
  sleepTasks: number;
  sleepsPerTask: number;
  /**
   * 1b, 4b, 5c: the same work spread over this few tasks, where each runtime's cost per
   * switch shows rather than a cost per child (Effection's grows with its children).
   */
  fewTasks: number;
  /** 5. tasks spawned then cancelled. */
  cancelTasks: number;
  /** 6. timers armed then fired (spindle, core, tinyqueue). */
  timers: number;
  /** 7. timers armed then cancelled (every implementation, setTimeout included). */
  cancelTimers: number;
  /** 6c. tasks, and deadlines (a timeout scope around one turn) per task. */
  deadlineTasks: number;
  deadlinesPerTask: number;
  /** 8. sleeping tasks per child process, and processes per implementation. */
  memoryTasks: number;
  memoryProcesses: number;
  /** 9. child processes per implementation. */
  coldStarts: number;
  /** 10. jobs per iteration run on worker threads (all in flight at once). */
  executorJobs: number;
}

export function sizesFor(mode: Mode): Sizes {
  switch (mode) {
    case "quick":
      return {
        runs: 100,
        yieldTasks: 1000,
        yieldsPerTask: 10,
        chain: 100_000,
        roundTrips: 5000,
        switches: 20_000,
        queueSwitches: 2000,
        sleepTasks: 1000,
        sleepsPerTask: 10,
        fewTasks: 10,
        cancelTasks: 1000,
        timers: 20_000,
        cancelTimers: 20_000,
        deadlineTasks: 1000,
        deadlinesPerTask: 5,
        memoryTasks: 5000,
        memoryProcesses: 1,
        coldStarts: 1,
        executorJobs: 40,
      };
    case "default":
      return {
        runs: 1000,
        yieldTasks: 10_000,
        yieldsPerTask: 10,
        chain: 1_000_000,
        roundTrips: 100_000,
        switches: 1_000_000,
        queueSwitches: 100_000,
        sleepTasks: 10_000,
        sleepsPerTask: 10,
        fewTasks: 100,
        cancelTasks: 10_000,
        timers: 200_000,
        cancelTimers: 200_000,
        deadlineTasks: 10_000,
        deadlinesPerTask: 20,
        memoryTasks: 100_000,
        memoryProcesses: 1,
        coldStarts: 7,
        executorJobs: 2000,
      };
    case "full":
      return {
        runs: 1000,
        yieldTasks: 10_000,
        yieldsPerTask: 10,
        chain: 1_000_000,
        roundTrips: 1_000_000,
        switches: 10_000_000,
        queueSwitches: 1_000_000,
        sleepTasks: 10_000,
        sleepsPerTask: 10,
        fewTasks: 100,
        cancelTasks: 10_000,
        timers: 1_000_000,
        cancelTimers: 1_000_000,
        deadlineTasks: 10_000,
        deadlinesPerTask: 20,
        // One process each: the figures barely move between processes, and Effection's
        // takes ~2.5 minutes and 11 GiB at this size.
        memoryTasks: 1_000_000,
        memoryProcesses: 1,
        coldStarts: 21,
        executorJobs: 10_000,
      };
  }
}

/**
 * How long each in-process case is measured. Every case gets at least `iterations` samples
 * per round and keeps sampling until `time` ms have passed, so a fast implementation gets
 * many samples and a slow one (Effection at ~3 s an iteration) still gets a few. Two
 * rounds, the order of the implementations reversed in the second (see harness.ts); only
 * the first warms up (the second finds the code already optimised).
 */
export function budgetFor(mode: Mode): HarnessOptions {
  switch (mode) {
    case "quick":
      // A smoke run: every case once, checked, nothing warmed up.
      return { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0, rounds: 1 };
    case "default":
      return {
        iterations: 3,
        time: 400,
        warmupIterations: 1,
        warmupTime: 100,
        rounds: 2,
        warmupRounds: 1,
      };
    case "full":
      return {
        iterations: 5,
        time: 2000,
        warmupIterations: 2,
        warmupTime: 500,
        rounds: 2,
        warmupRounds: 1,
      };
  }
}

/** A workload shape, as the reports describe it. */
export interface ShapeSpec {
  /** Stable id, e.g. "ping-pong" (JSON key, --only matches it and the title). */
  id: string;
  /** "3. ping-pong: 100k round trips through two Queue(1)". */
  title: string;
  group: "kernel" | "greenlet" | "timers" | "executor" | "memory" | "cold-start" | "streams";
  /** Operations per iteration (what ops/s counts), and what they are, plural ("switches"). */
  ops: number;
  unit: string;
  /** The implementation every ratio of this shape is taken against. */
  baseline: string;
  /** What each implementation uses for this shape, in a few words. */
  uses: Record<string, string>;
  /** Sizes as printed, e.g. { tasks: 10000, yieldsPerTask: 10 }. */
  sizes: Record<string, number>;
}

/** "1M", "100k", "1.5k", "10". */
export function label(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** Does shape `s` pass the `--only` filter (a case-insensitive substring of id or title)? */
export function selected(s: Pick<ShapeSpec, "id" | "title">, only: string | undefined): boolean {
  if (only === undefined || only === "") return true;
  const needle = only.toLowerCase();
  return s.id.toLowerCase().includes(needle) || s.title.toLowerCase().includes(needle);
}
