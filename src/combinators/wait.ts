import { ensureTask, requireLoop } from "../kernel/event-loop.js";
import { describe } from "../errors.js";
import type { CoroutineLike } from "../kernel/loop.js";
import type { Task } from "../kernel/task.js";
import { suspend, type Instruction } from "../kernel/operation.js";

/** wait() returns when any task finishes. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** wait() returns when any task fails (by an exception other than cancellation) or all finish. */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** wait() returns when every task has finished. */
export const ALL_COMPLETED = "ALL_COMPLETED";
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of wait. */
export interface WaitOptions {
  /** Give up after this many ms (no error: the unfinished tasks are in `pending`). */
  timeout?: number | null;
  /** FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED (the default). */
  returnWhen?: ReturnWhen;
}

/**
 * Waits for tasks (coroutines are scheduled as tasks) until `returnWhen` holds or the
 * timeout passes, and returns `[done, pending]` (asyncio.wait). Never cancels anything.
 *
 * @example
 * ```ts
 * const [done, pending] = yield* wait([a, b], { returnWhen: FIRST_COMPLETED, timeout: 100 });
 * ```
 */
export function* wait<T>(
  aws: Iterable<Task<T> | CoroutineLike<T>>,
  options: WaitOptions = {},
): Generator<Instruction | undefined, [Set<Task<T>>, Set<Task<T>>], unknown> {
  const loop = requireLoop("wait");
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  if (
    returnWhen !== FIRST_COMPLETED &&
    returnWhen !== FIRST_EXCEPTION &&
    returnWhen !== ALL_COMPLETED
  )
    throw new TypeError(`spindle: invalid returnWhen ${describe(returnWhen)}`);
  const timeout = options.timeout ?? null;
  if (timeout !== null && (typeof timeout !== "number" || Number.isNaN(timeout)))
    throw new TypeError(`spindle: wait timeout must be a number of ms, got ${describe(timeout)}`);
  const tasks = new Set<Task<T>>();
  for (const a of aws) tasks.add(ensureTask(a, loop));
  if (tasks.size === 0) throw new TypeError("spindle: wait() needs at least one task");

  const satisfied = (): boolean => {
    let done = 0;
    for (const t of tasks) {
      if (!t.done()) continue;
      done++;
      if (returnWhen === FIRST_COMPLETED) return true;
      if (returnWhen === FIRST_EXCEPTION && !t.cancelled() && t.exception() !== null) return true;
    }
    return done === tasks.size;
  };

  if (!satisfied() && timeout !== 0) {
    let timer: { cancel(): void } | null = null;
    try {
      yield* suspend<void>(
        (waker) => {
          const check = (): void => {
            if (satisfied()) waker.resume();
          };
          for (const t of tasks) if (!t.done()) t._listen(check);
          if (timeout !== null) timer = loop.callLater(timeout, () => void waker.resume());
          return () => timer?.cancel();
        },
        { external: false },
      );
    } finally {
      (timer as { cancel(): void } | null)?.cancel();
    }
  }
  const done = new Set<Task<T>>();
  const pending = new Set<Task<T>>();
  for (const t of tasks) (t.done() ? done : pending).add(t);
  return [done, pending];
}
