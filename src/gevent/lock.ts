// gevent.lock: spindle's semaphores under gevent's names and signatures
// (acquire(blocking, timeout) → bool), and an RLock owned by a task.

import { TimeoutError, describe as describeValue } from "../errors.js";
import { currentTask } from "../kernel/event-loop.js";
import type { Task } from "../kernel/task.js";
import type { Instruction, Operation } from "../kernel/operation.js";
import { waitFor } from "../combinators/timeout.js";
import {
  BoundedSemaphore as SpindleBoundedSemaphore,
  Semaphore as SpindleSemaphore,
} from "../sync/semaphore.js";
import { checkTimeout } from "./linkable.js";

/** acquire(blocking, timeout) on a spindle semaphore's acquire. */
function* acquireWith(
  sem: SpindleSemaphore,
  acquire: () => Operation<boolean>,
  blocking: boolean,
  timeout: number | null | undefined,
): Generator<Instruction | undefined, boolean, unknown> {
  if (!blocking) return sem.tryAcquire();
  if (timeout == null) return yield* acquire();
  checkTimeout(timeout);
  try {
    return yield* waitFor(acquire(), Math.max(0, timeout));
  } catch (e) {
    if (e instanceof TimeoutError) return false;
    throw e;
  }
}

/**
 * gevent.lock.Semaphore: `yield* sem.acquire(blocking?, timeout?)` returns whether it got
 * a permit; `release()`; `yield* sem.with(body)` for Python's `with sem:`.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const sem = new gevent.lock.Semaphore(2);
 * if (yield* sem.acquire(true, 100)) {
 *   try { yield* work(); } finally { sem.release(); }
 * }
 * ```
 */
export class Semaphore extends SpindleSemaphore {
  override acquire(blocking = true, timeout?: number | null): Operation<boolean> {
    return acquireWith(this, () => super.acquire(), blocking, timeout);
  }

  /** Free permits (gevent's `counter`). */
  get counter(): number {
    return this.free;
  }
}

/**
 * gevent.lock.BoundedSemaphore: a Semaphore whose release past its initial value throws.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const sem = new gevent.lock.BoundedSemaphore(1);
 * yield* sem.acquire();
 * sem.release();
 * ```
 */
export class BoundedSemaphore extends SpindleBoundedSemaphore {
  override acquire(blocking = true, timeout?: number | null): Operation<boolean> {
    return acquireWith(this, () => super.acquire(), blocking, timeout);
  }

  /** Free permits (gevent's `counter`). */
  get counter(): number {
    return this.free;
  }
}

/**
 * gevent.lock.RLock: a lock its owner (the task holding it) may acquire again; it is
 * free once released as many times.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const rlock = new gevent.lock.RLock();
 * yield* rlock.acquire();
 * yield* rlock.acquire(); // same task: fine
 * rlock.release();
 * rlock.release();
 * ```
 */
export class RLock {
  private readonly sem = new Semaphore(1);
  private owner: Task<unknown> | null = null;
  private count = 0;

  /** Takes the lock (again, if this task holds it); returns whether it got it. */
  *acquire(
    blocking = true,
    timeout?: number | null,
  ): Generator<Instruction | undefined, boolean, unknown> {
    const me = currentTask();
    if (me === null) throw new Error("spindle/gevent: RLock.acquire() needs a running task");
    if (this.owner === me) {
      this.count++;
      return true;
    }
    if (!(yield* this.sem.acquire(blocking, timeout))) return false;
    this.owner = me;
    this.count = 1;
    return true;
  }

  /** Releases once; the owner only. */
  release(): void {
    if (this.owner === null || this.owner !== currentTask())
      throw new Error("spindle/gevent: cannot release an RLock this task does not hold");
    if (--this.count === 0) {
      this.owner = null;
      this.sem.release();
    }
  }

  /** True while some task holds it. */
  locked(): boolean {
    return this.owner !== null;
  }

  /** Python's `with lock:` — holds it around `body`. */
  *with<T>(body: () => Operation<T>): Generator<Instruction | undefined, T, unknown> {
    if (typeof body !== "function")
      throw new TypeError(
        `spindle/gevent: RLock.with needs a function, got ${describeValue(body)}`,
      );
    yield* this.acquire();
    try {
      return yield* body();
    } finally {
      this.release();
    }
  }
}
