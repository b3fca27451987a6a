// greenlet's three exceptions, kept apart as STYLE §7 asks:
//  - GreenletExit: not an error — the signal that kills one greenlet quietly (its parent
//    receives the exception object as a value instead of seeing it raised);
//  - GreenletError (greenlet.error): a switch that cannot happen — to a greenlet of another
//    task or loop, outside a task, or without `yield*`;
//  - InvalidParentError (the ValueError greenlet raises): a parent that would make a cycle
//    or live in another task.

/**
 * Thrown into a greenlet to kill it (the default of `gr.throw()`). It does not propagate:
 * when it escapes the greenlet, the parent's pending switch returns the exception object
 * as a value (or whatever the greenlet returned after catching it).
 *
 * @example
 * ```ts
 * const gr = greenlet(function* () {
 *   try { yield* getcurrent().parent!.switch(); }
 *   finally { console.log("cleaned up"); }
 * });
 * yield* gr.switch();
 * const v = yield* gr.throw(); // prints "cleaned up"; v instanceof GreenletExit, gr.dead
 * ```
 */
export class GreenletExit extends Error {
  override name = "GreenletExit";
  constructor(message?: string) {
    // No stack trace: it is a control-flow signal, usually caught by spindle itself. No
    // default message, as greenlet's GreenletExit() has none.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/**
 * A switch that cannot happen (greenlet.error): to a greenlet of another task or another
 * event loop (greenlet's "cannot switch to a different thread"), outside any task, or a
 * `gr.switch()` that was never run because `yield*` was missing in front of it.
 *
 * @example
 * ```ts
 * createTask(function* () {
 *   try { yield* grOfAnotherTask.switch(); }
 *   catch (e) { e instanceof GreenletError; } // true: greenlets stay in their task
 * });
 * ```
 */
export class GreenletError extends Error {
  override name = "GreenletError";
}

/**
 * A parent that cannot be (greenlet's ValueError): it would make the parent chain a cycle,
 * it belongs to another task, or the greenlet is a main greenlet, which has no parent.
 *
 * @example
 * ```ts
 * const a = greenlet(work);
 * const b = greenlet(work, a);
 * try { a.parent = b; } catch (e) { e instanceof InvalidParentError; } // true: a cycle
 * ```
 */
export class InvalidParentError extends Error {
  override name = "InvalidParentError";
}
