// gevent.event: Event and AsyncResult, on the same links as Greenlet: waiters are woken
// in the order they came, soon after set() (gevent notifies from a hub callback too).

import type { Instruction } from "../kernel/operation.js";
import { Linkable, userLink } from "./linkable.js";
import { Timeout } from "./timeout.js";

/**
 * gevent.event.Event: a flag; `yield* ev.wait(timeout?)` waits until it is set and
 * returns the flag (false if the timeout passed first).
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const ev = new gevent.Event();
 * gevent.spawn(function* () { yield* gevent.sleep(10); ev.set(); });
 * yield* ev.wait(); // true
 * ```
 */
export class Event extends Linkable<Event> {
  private flag = false;

  /** Sets the flag and wakes every waiter (soon, in order). */
  set(): void {
    this.flag = true;
    this.scheduleNotify();
  }

  /** Clears the flag. */
  clear(): void {
    this.flag = false;
  }

  /** The flag (gevent's `is_set`). */
  isSet(): boolean {
    return this.flag;
  }

  /** The flag, as gevent's `ready()`. */
  ready(): boolean {
    return this.flag;
  }

  /** Waits until set (at most `timeout` ms); returns the flag. */
  *wait(timeout?: number | null): Generator<Instruction | undefined, boolean, unknown> {
    yield* this.waitReady(timeout);
    return this.flag;
  }

  /** Calls `fn(this)` soon after it is set (a generator runs as a task). */
  link(fn: (ev: this) => unknown): void {
    this.rawlink(userLink("link", fn as (ev: Event) => unknown));
  }

  protected label(): string {
    return "Event.wait";
  }

  override toString(): string {
    return `<Event ${this.flag ? "set" : "unset"}>`;
  }
}

/**
 * gevent.event.AsyncResult: a one-time value or exception for waiters; `set(value)`,
 * `setException(e)`, `yield* r.get(block?, timeout?)`.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const r = new gevent.AsyncResult<number>();
 * gevent.spawn(function* () { yield* gevent.sleep(10); r.set(42); });
 * console.log(yield* r.get()); // 42
 * ```
 */
export class AsyncResult<T = unknown> extends Linkable<AsyncResult<T>> {
  /** The value once set (undefined before, or after setException). */
  value: T | undefined = undefined;
  private exc: unknown = null;
  private settled = false;
  private failed = false;

  /** The exception given to setException, else null. */
  get exception(): unknown {
    return this.exc;
  }

  /** Stores `value` and wakes the waiters. */
  set(value?: T): void {
    this.value = value;
    this.exc = null;
    this.failed = false;
    this.settled = true;
    this.scheduleNotify();
  }

  /** Stores `error` (get() raises it) and wakes the waiters. */
  setException(error: unknown): void {
    this.value = undefined;
    this.exc = error;
    this.failed = true;
    this.settled = true;
    this.scheduleNotify();
  }

  /** True once set or failed. */
  ready(): boolean {
    return this.settled;
  }

  /** True once set (not failed). */
  successful(): boolean {
    return this.settled && !this.failed;
  }

  /**
   * The value, or the exception raised; `block === false` before it is ready, or a
   * `timeout` that passes, raises a `Timeout`.
   */
  *get(block = true, timeout?: number | null): Generator<Instruction | undefined, T, unknown> {
    if (!this.settled) {
      if (!block) throw new Timeout();
      if (!(yield* this.waitReady(timeout))) throw new Timeout(timeout ?? null);
    }
    if (this.failed) throw this.exc;
    return this.value as T;
  }

  /** Waits until ready (at most `timeout` ms); returns the value (undefined if not ready). */
  *wait(timeout?: number | null): Generator<Instruction | undefined, T | undefined, unknown> {
    yield* this.waitReady(timeout);
    return this.value;
  }

  /** Calls `fn(this)` soon after it is ready (a generator runs as a task). */
  link(fn: (r: this) => unknown): void {
    this.rawlink(userLink("link", fn as (r: AsyncResult<T>) => unknown));
  }

  protected label(): string {
    return "AsyncResult.get";
  }

  override toString(): string {
    return `<AsyncResult ${this.settled ? (this.failed ? "failed" : "set") : "unset"}>`;
  }
}
