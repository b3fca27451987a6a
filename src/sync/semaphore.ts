// Semaphore and BoundedSemaphore: a counter of permits (asyncio.Semaphore).
//
// HOW, as asyncio 3.11: `value` free permits plus a WaitQueue of parked acquirers. A
// release adds a permit and wakes the oldest waiter not yet woken, reserving the permit
// for it (value goes back down); the woken waiter stays queued until it runs, so
// newcomers cannot take the reserved permit (acquire() only takes one when nobody is
// queued). If the woken waiter is cancelled before it runs, the cancel wins and it gives
// the reserved permit back, waking the next waiter: no permit is lost.
//
// Invariant: value >= 0; each woken, queued waiter holds one reserved permit. A waiter
// cancelled while parked leaves the queue through its undo. BoundedSemaphore: value plus
// the permits held never exceeds its initial value.
//
// Cost: acquire and release O(1) (plus the woken waiters still queued); an acquire with
// a free permit does not suspend.

import { describe } from "../errors.js";
import { NOT_YET, type Instruction, type Operation, type Waker } from "../kernel/operation.js";
import { scoped, type Body } from "./scoped.js";
import { WaitQueue, Waiting } from "./wait-queue.js";

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
    return new Acquire(this);
  }

  /** @internal Takes a free permit if nobody is queued for one. */
  tryAcquire(): boolean {
    if (this.locked()) return false;
    this.value--;
    return true;
  }

  /** @internal free permits */
  get free(): number {
    return this.value;
  }

  /** @internal Wakes the oldest waiter not woken yet, reserving a permit for it. */
  wakeUpNext(): void {
    for (const node of this.waiters) {
      if (node.value.woken) continue;
      this.value--;
      node.value.resume(true);
      return;
    }
  }

  /** @internal A woken waiter that was cancelled gives its reserved permit back. */
  giveBack(): void {
    this.value++;
    this.wakeUpNext();
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
    this.value++;
    this.wakeUpNext();
  }

  /**
   * True if acquire() would wait (no free permit, or others are queued for one).
   *
   * @example
   * ```ts
   * new Semaphore(0).locked(); // true
   * ```
   */
  locked(): boolean {
    return this.value === 0 || this.waiters.size > 0;
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

/** `yield* sem.acquire()`: a permit now, or a place in line until a release wakes us. */
class Acquire extends Waiting<boolean> {
  constructor(private readonly sem: Semaphore) {
    super(sem.waiters);
  }
  protected attempt(): boolean | typeof NOT_YET {
    return this.sem.tryAcquire() ? true : NOT_YET;
  }
  protected override resume(): boolean {
    this.leave();
    // Permits released meanwhile go on to the next in line (asyncio 3.11).
    if (this.sem.free > 0) this.sem.wakeUpNext();
    return true;
  }
  protected override abandon(): void {
    this.leave();
    this.sem.giveBack();
  }
  override describe(): string {
    return `${this.sem.constructor.name}.acquire`;
  }
}
