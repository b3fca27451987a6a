// Condition: a condition variable over a Lock (asyncio.Condition).
//
// HOW: a Lock (given, or its own) plus a WaitQueue of parked waiters. wait() releases the
// lock, parks, and — however it leaves the park, notified or cancelled — re-acquires the
// lock before it returns or throws, as asyncio does: code after a wait always holds the
// lock. notify(n) resumes the n oldest live waiters, which then queue for the lock.
//
// A waiter that was notified but leaves wait() by an error — a cancel that won the race
// against its notification, or one landing while it re-acquires the lock — notifies the
// next waiter instead, so a cancel never swallows a notify. CPython 3.11 loses such a
// notification; 3.13 notifies another waiter on any error, even one that was never
// notified (a spurious wake-up); spindle passes on exactly the notifications it consumed.
//
// Invariant: a waiter is in `waiters` only while parked in wait(); its undo unlinks it.
// Like asyncio, "holding the lock" is checked as "the lock is locked": Lock has no owner.
//
// Cost: wait O(1) plus a lock round-trip; notify(n) O(n).

import { CancelledError, InvalidStateError, describe } from "../errors.js";
import { NOT_YET, type Instruction, type Operation, type Waker } from "../kernel/operation.js";
import { Lock, type LockStatistics } from "./lock.js";
import { scoped, type Body } from "./scoped.js";
import { WaitQueue, Waiting } from "./wait-queue.js";

/**
 * What Condition.statistics() reports.
 *
 * @example
 * ```ts
 * const { tasksWaiting, lockStatistics } = cond.statistics();
 * ```
 */
export interface ConditionStatistics {
  /** How many tasks are parked in wait() (not counting those re-acquiring the lock). */
  tasksWaiting: number;
  /** The underlying lock's statistics. */
  lockStatistics: LockStatistics;
}

/**
 * A condition variable (asyncio.Condition): tasks wait, holding the lock, until another
 * task changes shared state and notifies them.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * const items: string[] = [];
 * // consumer
 * yield* cond.with(function* () {
 *   yield* cond.waitFor(() => items.length > 0);
 *   return items.shift();
 * });
 * // producer
 * yield* cond.with(function* () { items.push("x"); cond.notify(); });
 * ```
 */
export class Condition {
  private readonly lock: Lock;
  /** @internal */ readonly waiters = new WaitQueue<Waker<boolean>>();

  /** Uses `lock` if given (several conditions may share one), else a new Lock. */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock))
      throw new TypeError(`spindle: Condition(lock) needs a Lock, got ${describe(lock)}`);
    this.lock = lock ?? new Lock();
  }

  /**
   * Acquires the underlying lock; returns true.
   *
   * @example
   * ```ts
   * yield* cond.acquire();
   * try { cond.notifyAll(); } finally { cond.release(); }
   * ```
   */
  acquire(): Operation<boolean> {
    return this.lock.acquire();
  }

  /**
   * Releases the underlying lock; throws if it is not locked.
   *
   * @example
   * ```ts
   * cond.release();
   * ```
   */
  release(): void {
    this.lock.release();
  }

  /**
   * True if the underlying lock is held.
   *
   * @example
   * ```ts
   * cond.locked(); // false
   * ```
   */
  locked(): boolean {
    return this.lock.locked();
  }

  /**
   * Runs `body` holding the lock (Python's `async with cond:`); returns its result.
   *
   * @example
   * ```ts
   * yield* cond.with(function* () { state = "ready"; cond.notifyAll(); });
   * ```
   */
  with<R>(body: Body<R>): Generator<Instruction | undefined, R, unknown> {
    return scoped("Condition.with", this.lock, body);
  }

  /**
   * Releases the lock, waits to be notified, re-acquires the lock; returns true. The lock
   * is held again when it returns *or throws* (a cancelled wait re-acquires first, then
   * rethrows). Throws if the lock is not held. Wake-ups can be spurious: re-check the state,
   * or use waitFor.
   *
   * @example
   * ```ts
   * yield* cond.with(function* () {
   *   while (queue.length === 0) yield* cond.wait();
   * });
   * ```
   */
  *wait(): Generator<Instruction | undefined, boolean, unknown> {
    if (!this.lock.locked())
      throw new InvalidStateError(
        "spindle: Condition.wait() needs the lock held: call it inside cond.with(...) " +
          "or after yield* cond.acquire()",
      );
    this.lock.release();
    let failure: unknown = null;
    let failed = false;
    let notified = false;
    try {
      // A notification that a cancel beats before we run is passed on by Wait.abandon.
      yield* new Wait(this);
      notified = true;
    } catch (e) {
      failed = true;
      failure = e;
    }
    // Re-acquire even when cancelled: the caller's code after wait() assumes the lock.
    // Only CancelledError is absorbed (and rethrown below); any other error leaves at once.
    let cancelled: CancelledError | null = null;
    for (;;) {
      try {
        yield* this.lock.acquire();
        break;
      } catch (e) {
        if (!(e instanceof CancelledError)) {
          if (notified) this.wake(1);
          throw e;
        }
        cancelled = e;
      }
    }
    if (cancelled !== null) {
      // Notified, but leaving by the cancel: the notification goes to the next waiter.
      if (notified) this.wake(1);
      throw cancelled;
    }
    if (failed) throw failure;
    return true;
  }

  /**
   * Waits until `predicate()` is truthy (checked first, then after each wake-up); returns
   * its last value. The lock must be held.
   *
   * @example
   * ```ts
   * const item = yield* cond.with(function* () {
   *   yield* cond.waitFor(() => items.length > 0);
   *   return items.shift()!;
   * });
   * ```
   */
  *waitFor<R>(predicate: () => R): Generator<Instruction | undefined, R, unknown> {
    if (typeof predicate !== "function")
      throw new TypeError(
        `spindle: Condition.waitFor(predicate) needs a function, got ${describe(predicate)}`,
      );
    let result = predicate();
    while (!result) {
      yield* this.wait();
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiting tasks (default 1), oldest first. The lock must be held; the
   * woken tasks run once they get it.
   *
   * @example
   * ```ts
   * yield* cond.with(function* () { items.push(x); cond.notify(); });
   * ```
   */
  notify(n = 1): void {
    if (typeof n !== "number" || Number.isNaN(n))
      throw new TypeError(`spindle: Condition.notify(n) needs a number, got ${describe(n)}`);
    if (n < 0) throw new RangeError(`spindle: Condition.notify(n) needs n >= 0, got ${n}`);
    this.checkHeld("notify");
    this.wake(n);
  }

  /**
   * Wakes every waiting task. The lock must be held.
   *
   * @example
   * ```ts
   * yield* cond.with(function* () { done = true; cond.notifyAll(); });
   * ```
   */
  notifyAll(): void {
    this.checkHeld("notifyAll");
    this.wake(this.waiters.size);
  }

  /**
   * A snapshot for debugging and tests.
   *
   * @example
   * ```ts
   * cond.statistics(); // { tasksWaiting: 1, lockStatistics: { locked: false, tasksWaiting: 0 } }
   * ```
   */
  statistics(): ConditionStatistics {
    return { tasksWaiting: this.waiters.size, lockStatistics: this.lock.statistics() };
  }

  private checkHeld(what: string): void {
    if (!this.lock.locked())
      throw new InvalidStateError(
        `spindle: Condition.${what}() needs the lock held: call it inside cond.with(...) ` +
          "or after yield* cond.acquire()",
      );
  }

  /** Resumes up to `n` live waiters, oldest first. */
  /** @internal A notification consumed by a waiter that left by an error goes on. */
  passOn(): void {
    this.wake(1);
  }

  private wake(n: number): void {
    for (let woken = 0; woken < n; woken++) {
      if (!this.waiters.handOff((waker) => waker.resume(true))) return;
    }
  }
}

/** The park inside Condition.wait(): a place among the waiters until notified. */
class Wait extends Waiting<boolean> {
  constructor(private readonly cond: Condition) {
    super(cond.waiters);
  }
  protected attempt(): typeof NOT_YET {
    return NOT_YET;
  }
  protected override abandon(): void {
    this.cond.passOn();
  }
  override describe(): string {
    return "Condition.wait";
  }
}
