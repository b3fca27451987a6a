// gevent's Timeout: an exception that raises ITSELF in the task that started it when its
// time is up — not a cancellation. Built on the kernel's throwInto: the timer's callback
// throws the Timeout (or the exception it was given) at the task's suspension point.

import { describe as describeValue } from "../errors.js";
import { currentTask } from "../kernel/event-loop.js";
import { asOperation, type CoroutineLike } from "../kernel/loop.js";
import type { TimerHandle } from "../kernel/handle.js";
import type { Instruction } from "../kernel/operation.js";
import { hubLoop } from "./linkable.js";

/**
 * gevent's Timeout: `new Timeout(ms).start()` arms it for the current task; when `ms`
 * have passed, the Timeout itself is raised there, at the task's suspension point (or
 * `exception`, if one was given). `cancel()` disarms it. `yield* t.with(body)` is
 * Python's `with Timeout(ms):` — armed around `body`; with `exception === false` the
 * scope swallows its own Timeout and returns undefined, as `with Timeout(ms, False)`.
 *
 * A Timeout is an Error: unlike Python's (a BaseException), a bare `catch (e)` catches
 * it. Rethrow what you do not handle.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const t = new gevent.Timeout(20).start();
 * try {
 *   yield* gevent.sleep(1000);
 * } catch (e) {
 *   if (e !== t) throw e; // it is the Timeout itself
 * } finally {
 *   t.cancel();
 * }
 * ```
 */
export class Timeout extends Error {
  override name = "Timeout";
  /** The delay in ms (null: never). */
  readonly ms: number | null;
  /** What is raised when the time is up: the Timeout itself unless given. */
  readonly exception: unknown;
  private timer: TimerHandle | null = null;

  constructor(ms: number | null = null, exception?: unknown) {
    if (ms !== null && (typeof ms !== "number" || Number.isNaN(ms)))
      throw new TypeError(`spindle/gevent: Timeout needs ms or null, got ${describeValue(ms)}`);
    super(
      ms === null
        ? "Timeout"
        : exception === false
          ? `${ms} ms (silent)`
          : exception === undefined
            ? `${ms} ms`
            : `${ms} ms: ${describeValue(exception)}`,
    );
    this.ms = ms;
    this.exception = exception;
  }

  /**
   * A started Timeout (gevent's `Timeout.start_new`).
   *
   * @example
   * ```ts
   * const t = Timeout.startNew(100);
   * ```
   */
  static startNew(ms: number | null, exception?: unknown): Timeout {
    return new Timeout(ms, exception).start();
  }

  /** True while armed. */
  get pending(): boolean {
    return this.timer !== null;
  }

  /**
   * Arms the timeout for the current task; returns this. Starting a pending Timeout
   * again is an error, as in gevent.
   *
   * @example
   * ```ts
   * const t = new Timeout(50).start();
   * ```
   */
  start(): this {
    if (this.pending) throw new Error("spindle/gevent: this Timeout is already pending");
    if (this.ms === null) return this;
    const task = currentTask();
    if (task === null) throw new Error("spindle/gevent: Timeout.start() needs a running task");
    const loop = hubLoop("Timeout.start()");
    const raised =
      this.exception === undefined || this.exception === false
        ? this
        : typeof this.exception === "function"
          ? new (this.exception as new () => unknown)()
          : this.exception;
    this.timer = loop.callLater(Math.max(0, this.ms), () => {
      this.timer = null;
      task.throwInto(raised);
    });
    return this;
  }

  /**
   * Disarms it (a no-op if it already fired or never started).
   *
   * @example
   * ```ts
   * t.cancel();
   * ```
   */
  cancel(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** gevent's `close()`: the same as cancel(). */
  close(): void {
    this.cancel();
  }

  /**
   * Python's `with Timeout(ms[, exception]):` — runs `body` in the current task with this
   * Timeout armed, and disarms it at the end. If it fires: with `exception === false`,
   * returns undefined (the Timeout is swallowed); else the Timeout (or the exception)
   * propagates.
   *
   * @example
   * ```ts
   * import * as gevent from "spindle/gevent";
   *
   * try {
   *   yield* new Timeout(20).with(function* () {
   *     yield* gevent.sleep(1000);
   *   });
   * } catch (e) {
   *   if (!(e instanceof Timeout)) throw e;
   * }
   * ```
   */
  *with<T>(body: CoroutineLike<T>): Generator<Instruction | undefined, T | undefined, unknown> {
    this.start();
    try {
      return yield* asOperation(body);
    } catch (e) {
      if (e === this && this.exception === false) return undefined;
      throw e;
    } finally {
      this.cancel();
    }
  }
}

/** withTimeout's options. */
export interface WithTimeoutOptions<V> {
  /** Returned instead of raising the Timeout when the time is up. */
  timeoutValue?: V;
}

/**
 * gevent's `with_timeout`: runs `op` in the current task under a Timeout of `ms`; when
 * it fires, returns `timeoutValue` if one was given, else raises the Timeout.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const page = yield* gevent.withTimeout(100, fetchPage(url), { timeoutValue: null });
 * ```
 */
export function* withTimeout<T, V = never>(
  ms: number | null,
  op: CoroutineLike<T>,
  options: WithTimeoutOptions<V> = {},
): Generator<Instruction | undefined, T | V, unknown> {
  const t = new Timeout(ms).start();
  try {
    return yield* asOperation(op);
  } catch (e) {
    if (e === t && "timeoutValue" in options) return options.timeoutValue as V;
    throw e;
  } finally {
    t.cancel();
  }
}

/** The Timeout gevent raises when a wait timed out (get, killAll). */
export function timedOut(ms: number | null): Timeout {
  return new Timeout(ms);
}
