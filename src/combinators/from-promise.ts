import { describe } from "../errors.js";
import { isThenable, suspend, type Instruction } from "../kernel/operation.js";

const PROMISE_WAIT = { describe: "a Promise" } as const;

/**
 * Waits for a Promise (any thenable) from a coroutine. Cancelling the task stops the wait
 * (a Promise itself cannot be cancelled; its outcome is then ignored).
 *
 * @example
 * ```ts
 * const text = yield* fromPromise(fs.promises.readFile("a.txt", "utf8"));
 * ```
 */
export function* fromPromise<T>(
  promise: PromiseLike<T>,
): Generator<Instruction | undefined, T, unknown> {
  if (!isThenable(promise))
    throw new TypeError(`spindle: fromPromise needs a Promise, got ${describe(promise)}`);
  return yield* suspend<T>((waker) => {
    promise.then(
      (v) => void waker.resume(v),
      (e) => void waker.fail(e),
    );
  }, PROMISE_WAIT);
}
