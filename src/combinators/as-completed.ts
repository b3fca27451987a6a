import { ensureTask, requireLoop } from "../kernel/event-loop.js";
import { TimeoutError, describe } from "../errors.js";
import type { CoroutineLike } from "../kernel/loop.js";
import type { Task } from "../kernel/task.js";
import type { Instruction } from "../kernel/operation.js";
import { Queue } from "../sync/queue.js";

/**
 * Operations that return the results of `aws` in the order they finish
 * (asyncio.as_completed): a generator, as Python's, that starts the tasks when iteration
 * begins. With `timeout` (ms), the ones still unfinished then throw TimeoutError. Leaving
 * the loop early (`break`, an error) takes its callbacks off the tasks.
 *
 * @example
 * ```ts
 * for (const next of asCompleted([slow(), fast()])) {
 *   console.log(yield* next); // fast's result first
 * }
 * ```
 */
export function* asCompleted<T>(
  aws: Iterable<Task<T> | CoroutineLike<T>>,
  options: { timeout?: number | null } = {},
): Generator<Generator<Instruction | undefined, T, unknown>, void, unknown> {
  const timeout = options.timeout ?? null;
  if (timeout !== null && (typeof timeout !== "number" || Number.isNaN(timeout)))
    throw new TypeError(`spindle: asCompleted timeout must be ms, got ${describe(timeout)}`);
  const loop = requireLoop("asCompleted");
  // As asyncio 3.11: a queue the done callbacks fill, and null for each one the timeout
  // gave up on.
  const done = new Queue<Task<T> | null>();
  const todo = new Map<Task<T>, () => void>();
  let timer: { cancel(): void } | null = null;
  const onCompletion = (t: Task<T>): void => {
    if (!todo.delete(t)) return; // the timeout was here first
    done.putNowait(t);
    if (todo.size === 0) timer?.cancel();
  };
  for (const t of new Set([...aws].map((a) => ensureTask(a, loop)))) {
    if (!todo.has(t)) todo.set(t, t.addDoneCallback(onCompletion));
  }
  const n = todo.size;
  if (n > 0 && timeout !== null)
    timer = loop.callLater(timeout, () => {
      for (const off of todo.values()) {
        off();
        done.putNowait(null);
      }
      todo.clear();
    });
  // Cleaning up: once iteration has ended (exhausted, or left early) and every operation
  // handed out has finished, nothing of ours stays registered on the tasks.
  let handedOut = 0;
  let finished = 0;
  let closed = false;
  const cleanUp = (): void => {
    if (!closed || finished < handedOut) return;
    timer?.cancel();
    for (const off of todo.values()) off();
    todo.clear();
  };
  function* waitForOne(): Generator<Instruction | undefined, T, unknown> {
    try {
      const t = yield* done.get();
      if (t === null) throw new TimeoutError("spindle: asCompleted timed out");
      return t.result();
    } finally {
      finished++;
      cleanUp();
    }
  }
  try {
    for (let i = 0; i < n; i++) {
      handedOut++;
      yield waitForOne();
    }
  } finally {
    closed = true;
    cleanUp();
  }
}
