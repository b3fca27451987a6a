// The three kinds of error stay apart (STYLE.md §7):
//  - user errors: typed classes below (InvalidStateError, TimeoutError, DeadlockError, …);
//  - cancellation: CancelledError, its own family, thrown at a suspension point;
//  - internal faults: InternalError, "this is a bug in spindle".

/**
 * Thrown into a coroutine at its suspension point when its task is cancelled.
 * Catch it only to clean up, then rethrow — swallowing it un-cancels the task.
 *
 * @example
 * ```ts
 * function* worker() {
 *   try { yield* sleep(1000); }
 *   catch (e) { if (e instanceof CancelledError) console.log("cancelled"); throw e; }
 * }
 * ```
 */
export class CancelledError extends Error {
  override name = "CancelledError";
  constructor(message?: string) {
    // No stack trace: it would show where cancel() was called, not where the coroutine
    // was interrupted, and capturing it costs ~3 µs — most of what cancelling a task costs.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message ?? "the task was cancelled");
    Error.stackTraceLimit = limit;
  }
}

/**
 * A deadline passed: raised by `waitFor` and by a `timeout` scope.
 *
 * @example
 * ```ts
 * try { yield* waitFor(sleep(50), 10); } catch (e) { e instanceof TimeoutError; } // true
 * ```
 */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}

/**
 * An operation was asked of an object in the wrong state (a pending task's `result()`…).
 *
 * @example
 * ```ts
 * const t = createTask(sleep(10));
 * try { t.result(); } catch (e) { e instanceof InvalidStateError; } // true: not done yet
 * ```
 */
export class InvalidStateError extends Error {
  override name = "InvalidStateError";
}

/**
 * Every task is blocked and nothing — no timer, no I/O, no pending Promise — can wake one:
 * the program would hang forever (gevent's "this operation would block forever"). Thrown
 * into the task runUntilComplete/run waits for.
 *
 * @example
 * ```ts
 * await run(function* () { yield* new Event().wait(); }, { clock: "virtual" });
 * // rejects with DeadlockError: nobody can ever set the event
 * ```
 */
export class DeadlockError extends Error {
  override name = "DeadlockError";
}

/**
 * Several tasks of a `TaskGroup` failed; `errors` holds each failure.
 *
 * @example
 * ```ts
 * try { yield* taskGroup(function* (tg) { tg.createTask(fails()); }); }
 * catch (e) { if (e instanceof ExceptionGroup) console.log(e.errors); }
 * ```
 */
export class ExceptionGroup extends AggregateError {
  override name = "ExceptionGroup";
}

/**
 * A spindle invariant broke: this is a bug in spindle; please report it.
 *
 * @example
 * ```ts
 * try { await run(main); } catch (e) { if (e instanceof InternalError) reportBug(e); }
 * ```
 */
export class InternalError extends Error {
  override name = "InternalError";
  constructor(message: string, options?: ErrorOptions) {
    super(
      `spindle internal error (this is a bug in spindle, please report it): ${message}`,
      options,
    );
  }
}

/** A short, readable description of any value, for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  const t = typeof value;
  if (t === "string") return JSON.stringify(value).slice(0, 60);
  if (t === "number" || t === "boolean" || t === "bigint") return `${String(value)} (a ${t})`;
  if (t === "symbol") return String(value);
  if (t === "undefined") return "undefined";
  if (t === "function") return `a function ${(value as { name?: string }).name || "(anonymous)"}`;
  const ctor = (value as object).constructor;
  // A generator object's constructor has no name: say what it is (usually a missing `*`).
  if (Object.prototype.toString.call(value) === "[object Generator]") return "a generator object";
  if (typeof (value as { then?: unknown }).then === "function")
    // Name the class of other thenables: a Task is a thenable, but not a Promise.
    return value instanceof Promise || !(ctor && ctor.name)
      ? "a Promise (thenable)"
      : `a thenable of class ${ctor.name}`;
  return ctor && ctor.name ? `an object of class ${ctor.name}` : "an object";
}
