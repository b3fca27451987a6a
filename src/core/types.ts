/**
 * The scheduler core's interface, implemented by the WebAssembly core and its TypeScript
 * twin alike. Task ids and timer handles are non-negative 31-bit integers tagged with a
 * generation: an id whose task was released is stale, and every operation rejects it
 * (returns false, -1 or NaN). A ready-queue entry or timer target is a task id or a host
 * token: any integer <= -2 (TOKEN_MAX), carried as is.
 *
 * Cost model: the per-operation methods (ready, nextReady, arm, disarm, sleepUntil,
 * cancelTimer, the task counters) read and write the core's tables directly and never call
 * into WebAssembly in the common case; drain, readyBatch, spawn, release, advance and (when
 * a cancel or a fire made it stale) nextDeadline are one call each.
 *
 * @example
 * ```ts
 * import { createCore } from "spindle/core";
 * const core = createCore("wasm");
 * const id = core.spawn();
 * core.arm(id, 10);
 * core.arm(-7, 10);          // a host token: comes out of the queue as -7
 * core.advance(10);          // 2: both fired, in arming order
 * core.nextReady() === id;   // true
 * core.nextReady() === -7;   // true
 * ```
 */
export interface Core {
  /** Which implementation this is. */
  readonly kind: "wasm" | "ts";
  /** Entries per drain()/readyBatch() call (the size of each batch buffer). */
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

  /**
   * Enqueues a task id (false if it is already queued or stale) or a host token (an i32
   * <= -2: always enqueued, never deduplicated). False for NONE (-1) and non-i32 numbers.
   */
  ready(entry: number): boolean;
  /** Dequeues the oldest entry — a live id or a token — or -1 when none is. */
  nextReady(): number;
  /** Entries in the ready queue (an upper bound: released tasks leave entries behind). */
  readyLength(): number;
  /**
   * Dequeues up to `max` entries (at most batchCapacity) and writes the live ids and the
   * tokens among them, in queue order, to batchOut(), recording a switch for each id.
   * Returns how many it wrote.
   */
  drain(max: number): number;
  /**
   * Drains up to `max` entries (default: out.length) into `out` — many batches, one array.
   * Returns how many it wrote; stale entries are consumed and skipped as by drain().
   */
  drainInto(out: Int32Array, max?: number): number;
  /** Enqueues the first `n` entries of batchIn(), in order. Returns how many it enqueued. */
  readyBatch(n: number): number;
  /** The OUT batch buffer. Valid until the next call that may grow memory. */
  batchOut(): Int32Array;
  /** The IN batch buffer. Valid until the next call that may grow memory. */
  batchIn(): Int32Array;

  /**
   * Arms a timer that enqueues `target` (a task id or a host token) when advance() reaches
   * `deadline`, and returns its handle. A task target is not checked now: if the task is
   * stale when the timer fires, the timer is dropped. NaN is ERR_DEADLINE (-2); NONE, or a
   * target that is not an i32, is ERR_STALE (-1); deadlines above MAX_DEADLINE are clamped
   * to it; past (even negative) ones are due at the next advance.
   */
  arm(target: number, deadline: number): number;
  /** Cancels a timer: true if it was armed and had not fired; false for any stale handle. */
  disarm(handle: number): boolean;
  /**
   * Arms `n` timers (default: targets.length), targets[i] at deadlines[i], writing each
   * handle or error code to handles[i]. Returns how many it armed.
   */
  armMany(
    targets: ArrayLike<number>,
    deadlines: ArrayLike<number>,
    handles: Int32Array,
    n?: number,
  ): number;
  /**
   * arm() for a task that must be live now: ERR_STALE (-1), checked before the deadline,
   * for a stale id.
   */
  sleepUntil(id: number, deadline: number): number;
  /** disarm(), under its older name. */
  cancelTimer(handle: number): boolean;
  /** The deadline of an armed timer (as clamped), NaN otherwise. */
  timerDeadline(handle: number): number;
  /**
   * Enqueues the targets of every timer due at `now`, in (deadline, arming order); returns
   * how many entries it enqueued (tokens always count; a stale or already-queued task does
   * not), or ERR_DEADLINE for NaN.
   */
  advance(now: number): number;
  /** The earliest armed deadline, exactly; Infinity when none is armed. */
  nextDeadline(): number;
  /** Armed timers. */
  timerCount(): number;
}

export type CoreKind = Core["kind"];
