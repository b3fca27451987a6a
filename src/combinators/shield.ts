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
  if (!inner.done()) {
    yield* suspend<void>(
      (waker) => {
        const listener = (): void => void waker.resume();
        inner._listen(listener);
        return () => inner._unlisten(listener);
      },
      { external: false },
    );
  }
  return inner.result();
}
