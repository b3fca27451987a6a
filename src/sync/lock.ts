// Lock: mutual exclusion between tasks (asyncio.Lock), FIFO-fair.
//
// HOW, as asyncio 3.11: `held` plus a WaitQueue of parked acquirers. release() frees the
// lock and wakes the oldest waiter, which stays queued until it runs and takes the lock
// (so no newcomer can barge in: acquire() only takes a free lock nobody is queued for).
// If the woken waiter is cancelled before it runs, the cancel wins (the kernel's rule) and
// the waiter, leaving, wakes the next one: the lock is never left free with waiters parked.
//
// Invariant: a queued waiter is parked, or woken and about to take the lock; waiters
// non-empty and !held ⇒ the first waiter is woken. A waiter cancelled while parked leaves
// the queue through its undo.
//
// Cost: acquire and release O(1); an uncontended acquire does not suspend.

import { InvalidStateError } from "../errors.js";
import { NOT_YET, type Instruction, type Operation, type Waker } from "../kernel/operation.js";
import { scoped, type Body } from "./scoped.js";
import { WaitQueue, Waiting } from "./wait-queue.js";

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
    return new Acquire(this);
  }

  /** @internal Takes the lock if it is free and nobody is queued for it. */
  tryAcquire(): boolean {
    if (this.held || this.waiters.size > 0) return false;
    this.held = true;
    return true;
  }

  /** @internal A woken waiter takes the lock. */
  take(): void {
    this.held = true;
  }

  /** @internal Wakes the oldest waiter, unless it was woken already. */
  wakeUpFirst(): void {
    const first = this.waiters.first();
    if (first !== null && !first.value.woken) first.value.resume(true);
  }

  /**
   * Releases the lock and wakes the oldest waiter, which takes it when it runs. Throws
   * InvalidStateError if the lock is not held.
   *
   * @example
   * ```ts
   * lock.release();
   * ```
   */
  release(): void {
    if (!this.held)
      throw new InvalidStateError("spindle: Lock.release() called on a lock that is not locked");
    this.held = false;
    this.wakeUpFirst();
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

/** `yield* lock.acquire()`: the lock now, or a place in line until a release wakes us. */
class Acquire extends Waiting<boolean> {
  constructor(private readonly lock: Lock) {
    super(lock.waiters);
  }
  protected attempt(): boolean | typeof NOT_YET {
    return this.lock.tryAcquire() ? true : NOT_YET;
  }
  protected override resume(): boolean {
    this.leave();
    this.lock.take();
    return true;
  }
  protected override abandon(): void {
    this.leave();
    if (!this.lock.locked()) this.lock.wakeUpFirst();
  }
  override describe(): string {
    return "Lock.acquire";
  }
}
