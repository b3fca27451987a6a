// Semaphore and BoundedSemaphore: a counter of permits (asyncio.Semaphore).
//
// HOW: `value` free permits plus a WaitQueue of parked acquirers. acquire() takes a free
// permit or parks; release() hands its permit straight to the oldest live waiter, and only
// when nobody waits does the count go up. So waiters are served in FIFO order and no
// newcomer takes a permit a waiter was owed. The kernel delivers a resumed value even if
// the waiter is cancelled right after, so a handed-over permit is never lost: the waiter
// returns from acquire() holding it and releases it in its own finally.
//
// Invariant: waiters non-empty ⇒ value === 0. A waiter cancelled while parked leaves the
// queue through its undo. BoundedSemaphore: value <= its initial value.
//
// Cost: acquire and release O(1); an acquire with a free permit does not suspend.

import { describe } from "../errors.js";
import type { Instruction, Operation, Waker } from "../kernel/operation.js";
import { scoped, type Body } from "./scoped.js";
import { Enter, WaitQueue } from "./wait-queue.js";

/**
 * What Semaphore.statistics() reports.
 *
 * @example
 * ```ts
 * const { value, tasksWaiting } = slots.statistics();
 * ```
 */
export interface SemaphoreStatistics {
  /** Free permits. */
  value: number;
  /** How many tasks are parked in acquire(). */
  tasksWaiting: number;
}

/**
 * A counter of permits (asyncio.Semaphore): at most `value` tasks hold one at a time;
 * the others wait, first come first served.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3); // at most 3 downloads at once
 * yield* slots.with(function* () { yield* download(url); });
 * ```
 */
export class Semaphore {
  /** Free permits. */
  protected value: number;
  /** @internal */ readonly waiters = new WaitQueue<Waker<boolean>>();

  /** Starts with `value` permits (default 1); a non-negative integer. */
  constructor(value = 1) {
    this.value = checkCount("Semaphore", value);
  }

  /**
   * Takes a permit, waiting in FIFO order if none is free; returns true. Prefer `with`,
   * which also releases.
   *
   * @example
   * ```ts
   * yield* slots.acquire();
   * try { yield* work(); } finally { slots.release(); }
   * ```
   */
  acquire(): Operation<boolean> {
    return new Enter(this);
  }

  /** @internal Gate: a free permit, if any (release hands permits to waiters first). */
  tryEnter(): boolean {
    if (this.value <= 0) return false;
    this.value--;
    return true;
  }

  /**
   * Gives a permit back: to the oldest waiter if any, else to the pool.
   *
   * @example
   * ```ts
   * slots.release();
   * ```
   */
  release(): void {
    if (!this.waiters.handOff((waker) => waker.resume(true))) this.value++;
  }

  /**
   * True if acquire() would wait (no free permit).
   *
   * @example
   * ```ts
   * new Semaphore(0).locked(); // true
   * ```
   */
  locked(): boolean {
    return this.value === 0;
  }

  /**
   * Runs `body` holding a permit (Python's `async with sem:`); returns its result.
   *
   * @example
   * ```ts
   * const page = yield* slots.with(function* () { return yield* fetchPage(url); });
   * ```
   */
  with<R>(body: Body<R>): Generator<Instruction | undefined, R, unknown> {
    return scoped(`${this.constructor.name}.with`, this, body);
  }

  /**
   * A snapshot for debugging and tests.
   *
   * @example
   * ```ts
   * slots.statistics(); // { value: 0, tasksWaiting: 2 }
   * ```
   */
  statistics(): SemaphoreStatistics {
    return { value: this.value, tasksWaiting: this.waiters.size };
  }
}

/**
 * A Semaphore that refuses to be released more often than acquired
 * (asyncio.BoundedSemaphore): release() above the initial value throws RangeError.
 *
 * @example
 * ```ts
 * const pool = new BoundedSemaphore(2);
 * yield* pool.with(function* () { yield* useConnection(); });
 * pool.release(); // RangeError: released too many times
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  private readonly bound: number;

  /** Starts with, and never exceeds, `value` permits (default 1). */
  constructor(value = 1) {
    super(value);
    this.bound = this.value;
  }

  /**
   * Gives a permit back; throws RangeError if that would exceed the initial value.
   *
   * @example
   * ```ts
   * pool.release();
   * ```
   */
  override release(): void {
    if (this.value >= this.bound)
      throw new RangeError(
        `spindle: BoundedSemaphore released too many times (it holds ${this.bound} permits)`,
      );
    super.release();
  }
}

/** Validates a permit count. */
function checkCount(what: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value))
    throw new TypeError(`spindle: ${what}(value) needs a number, got ${describe(value)}`);
  if (value < 0 || !Number.isInteger(value))
    throw new RangeError(`spindle: ${what}(value) needs an integer >= 0, got ${value}`);
  return value;
}
