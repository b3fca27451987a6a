import { ensureTask } from "../kernel/event-loop.js";
import type { CoroutineLike } from "../kernel/loop.js";
import type { Task } from "../kernel/task.js";
import { suspend, type Instruction } from "../kernel/operation.js";

/**
 * Waits for `op` (run as a task) without passing cancellation on to it (asyncio.shield): if
 * the waiting task is cancelled it gets CancelledError at once, and the inner task runs on.
 *
 * @example
 * ```ts
 * const saved = yield* shield(saveToDisk(data)); // a cancel here won't interrupt the save
 * ```
 */
export function* shield<T>(
  op: Task<T> | CoroutineLike<T>,
): Generator<Instruction | undefined, T, unknown> {
  const inner = ensureTask(op);
  // Awaiting a finished task returns at once; else asyncio's outer future, set by a done
  // callback of the inner task. Cancelling the waiter only takes that callback away.
  if (!inner.done()) {
    yield* suspend<void>((waker) => inner.addDoneCallback(() => void waker.resume()), {
      external: false,
      describe: `shield of task ${inner.name}`,
    });
  }
  return inner.result();
}
