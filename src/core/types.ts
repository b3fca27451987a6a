/**
 * The scheduler core's interface, implemented by the WebAssembly core and its TypeScript
 * twin alike. Ids are positive 31-bit integers tagged with a generation: an id whose task
 * was released is stale, and every operation rejects it (returns false, -1 or NaN).
 *
 * @example
 * ```ts
 * import { createCore } from "spindle/core";
 * const core = createCore("wasm");
 * const id = core.spawn();
 * core.sleepUntil(id, 10);
 * core.advance(10);          // 1: the timer fired and id is ready
 * core.nextReady() === id;   // true
 * ```
 */
export interface Core {
  /** Which implementation this is. */
  readonly kind: "wasm" | "ts";
  /** Ids per drain()/readyBatch() call (the size of each batch buffer). */
  readonly batchCapacity: number;

  /** A new task id; ERR_CAPACITY (-3) only past 4,194,304 live tasks. */
  spawn(): number;
  /**
   * Releases every task and disarms every timer: every id and handle handed out so far
   * becomes stale, as after release(). Capacity stays, so an instance can be reused.
   */
  reset(): void;
  /** Frees a task: its id (and any timer or queue entry naming it) becomes stale. */
  release(id: number): boolean;
  isLive(id: number): boolean;
  /** TASK_LIVE | TASK_QUEUED flags; 0 for a stale id. */
  taskState(id: number): number;
  /** Times the task was resumed (drain() or recordSwitch()); -1 for a stale id. */
  switches(id: number): number;
  /** Times the task was enqueued; -1 for a stale id. */
  wakeups(id: number): number;
  /** Counts one resumption of the task; false for a stale id. */
  recordSwitch(id: number): boolean;
  /** Live tasks. */
  taskCount(): number;

  /** Enqueues a task; false if it is already queued or stale. */
  ready(id: number): boolean;
  /** Dequeues the oldest ready task, or -1 when none is. */
  nextReady(): number;
  /** Entries in the ready queue (an upper bound: released tasks leave entries behind). */
  readyLength(): number;
  /**
   * Dequeues up to `max` entries (at most batchCapacity) and writes the live ids among them
   * to batchOut(), recording a switch for each. Returns how many ids it wrote.
   */
  drain(max: number): number;
  /** Enqueues the first `n` ids of batchIn(), in order. Returns how many it enqueued. */
  readyBatch(n: number): number;
  /** The OUT batch buffer. Valid until the next call that may grow memory. */
  batchOut(): Int32Array;
  /** The IN batch buffer. Valid until the next call that may grow memory. */
  batchIn(): Int32Array;

  /**
   * Arms a timer that readies `id` when advance() reaches `deadline`. Returns a timer
   * handle, or ERR_STALE (-1) for a stale id, ERR_DEADLINE (-2) for NaN. Deadlines above
   * MAX_DEADLINE are clamped to it; past (even negative) ones are due at the next advance.
   */
  sleepUntil(id: number, deadline: number): number;
  /** Disarms a timer; false if it already fired or was cancelled. */
  cancelTimer(handle: number): boolean;
  /** The deadline of an armed timer, NaN otherwise. */
  timerDeadline(handle: number): number;
  /** Readies every task whose timer is due at `now`; returns how many it enqueued. */
  advance(now: number): number;
  /** The earliest armed deadline, Infinity when none is armed. */
  nextDeadline(): number;
  /** Armed timers. */
  timerCount(): number;
}

export type CoreKind = Core["kind"];
