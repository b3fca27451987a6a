// Lock: mutual exclusion between tasks (asyncio.Lock), FIFO-fair.
//
// HOW: `held` plus a WaitQueue of parked acquirers. release() never lets the lock go free
// while someone waits: it hands ownership straight to the oldest live waiter (its waker
// resumes it with `true`), so no newcomer can barge in between. The kernel delivers a
// resumed value even if the waiter is cancelled right after, so a hand-off is never lost:
// the new owner returns from acquire() and meets the CancelledError at its next suspension,
// inside its own try/finally that releases.
//
// Invariant: waiters non-empty ⇒ held. A waiter cancelled while parked leaves the queue
// through its undo.
//
// Cost: acquire and release are O(1); an uncontended acquire does not suspend.

import type { Instruction, Operation, Waker } from "../kernel/operation.js";
import { scoped, type Body } from "./scoped.js";
import { Enter, WaitQueue } from "./wait-queue.js";

/**
 * What Lock.statistics() reports (trio's LockStatistics).
 *
 * @example
 * ```ts
 * const { locked, tasksWaiting } = lock.statistics();
 * ```
 */
export interface LockStatistics {
  /** Whether the lock is held. */
  locked: boolean;
  /** How many tasks are parked in acquire(). */
  tasksWaiting: number;
}

/**
 * A mutual-exclusion lock for tasks (asyncio.Lock). Waiters get the lock in the order they
 * asked for it. Like asyncio's, it has no owner: any task may release it.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * yield* lock.with(function* () {
 *   // one task at a time in here
 *   yield* sleep(10);
 * });
 * ```
 */
export class Lock {
  private held = false;
  /** @internal */ readonly waiters = new WaitQueue<Waker<boolean>>();

  /**
   * Acquires the lock, waiting in FIFO order if it is held; returns true. Prefer `with`,
   * which also releases.
   *
   * @example
   * ```ts
   * yield* lock.acquire();
   * try { yield* work(); } finally { lock.release(); }
   * ```
   */
  acquire(): Operation<boolean> {
    return new Enter(this);
  }

  /** @internal Gate: free means no live waiter either (release hands the lock over). */
  tryEnter(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  /**
   * Releases the lock: the oldest waiter (if any) gets it at once. Throws if the lock is
   * not held.
   *
   * @example
   * ```ts
   * lock.release();
   * ```
   */
  release(): void {
    if (!this.held) throw new Error("spindle: Lock.release() called on a lock that is not locked");
    // Ownership passes directly; the lock is free only when nobody (live) is waiting.
    if (!this.waiters.handOff((waker) => waker.resume(true))) this.held = false;
  }

  /**
   * True if the lock is held.
   *
   * @example
   * ```ts
   * if (!lock.locked()) yield* lock.acquire(); // no wait
   * ```
   */
  locked(): boolean {
    return this.held;
  }

  /**
   * Runs `body` holding the lock (Python's `async with lock:`): acquires, runs it, releases
   * in `finally`; returns the body's result.
   *
   * @example
   * ```ts
   * const n = yield* lock.with(function* () { return yield* readCounter(); });
   * ```
   */
  with<R>(body: Body<R>): Generator<Instruction | undefined, R, unknown> {
    return scoped("Lock.with", this, body);
  }

  /**
   * A snapshot for debugging and tests (trio's statistics()).
   *
   * @example
   * ```ts
   * lock.statistics(); // { locked: true, tasksWaiting: 2 }
   * ```
   */
  statistics(): LockStatistics {
    return { locked: this.held, tasksWaiting: this.waiters.size };
  }
}
