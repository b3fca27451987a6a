import { describe } from "../errors.js";
import {
  Attempt,
  isThenable,
  NOT_YET,
  type Instruction,
  type Operation,
  type SuspendOptions,
  type Waker,
} from "../kernel/operation.js";

/** A Promise is a wait on the world outside the loop: deadlock detection stays quiet. */
const PROMISE_WAIT: SuspendOptions = { external: true, describe: "a Promise" };

/**
 * The operation behind fromPromise: one object per wait, no generator and no setup closure
 * (a generator frame, a closure and its context were ~350 B per wait, measured, and an
 * outside wake is the path every Promise-based API takes into a task).
 */
class PromiseWait<T> extends Attempt<T> {
  constructor(private readonly promise: PromiseLike<T>) {
    super(PROMISE_WAIT);
  }
  protected attempt(): typeof NOT_YET {
    // Checked when `yield*` starts the wait, not when fromPromise is called, as before.
    if (!isThenable(this.promise))
      throw new TypeError(`spindle: fromPromise needs a Promise, got ${describe(this.promise)}`);
    return NOT_YET;
  }
  park(waker: Waker<T>): void {
    // No undo: a cancel leaves the Promise to settle, and its outcome meets a stale waker.
    this.promise.then(
      (v) => void waker.resume(v),
      (e: unknown) => void waker.fail(e),
    );
  }
}

/**
 * Waits for a Promise (any thenable) from a coroutine. Cancelling the task stops the wait
 * (a Promise itself cannot be cancelled; its outcome is then ignored).
 *
 * @example
 * ```ts
 * const text = yield* fromPromise(fs.promises.readFile("a.txt", "utf8"));
 * ```
 */
export function fromPromise<T>(
  promise: PromiseLike<T>,
): Operation<T> & Iterator<Instruction | undefined, T, unknown> {
  return new PromiseWait(promise);
}
