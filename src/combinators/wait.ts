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

  // asyncio's _wait: a done callback per task counts completions; the first one that
  // satisfies returnWhen (or the timeout) releases the waiter. No shortcut when it already
  // holds: the callbacks of finished tasks run soon, as asyncio's do.
  let timer: { cancel(): void } | null = null;
  let offs: Array<() => void> = [];
  try {
    yield* suspend<void>(
      (waker) => {
        let counter = tasks.size;
        const onCompletion = (t: Task<T>): void => {
          counter--;
          if (
            counter <= 0 ||
            returnWhen === FIRST_COMPLETED ||
            (returnWhen === FIRST_EXCEPTION && !t.cancelled() && t.exception() !== null)
          ) {
            timer?.cancel();
            waker.resume();
          }
        };
        offs = [...tasks].map((t) => t.addDoneCallback(onCompletion));
        if (timeout !== null) timer = loop.callLater(timeout, () => void waker.resume());
      },
      { external: false, describe: "wait" },
    );
  } finally {
    // Every exit — result, timeout, cancel — takes the callbacks and the timer away.
    (timer as { cancel(): void } | null)?.cancel();
    for (const off of offs) off();
  }
  const done = new Set<Task<T>>();
  const pending = new Set<Task<T>>();
  for (const t of tasks) (t.done() ? done : pending).add(t);
  return [done, pending];
}
