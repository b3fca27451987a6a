import { ensureTask, requireLoop } from "../kernel/event-loop.js";
import { TimeoutError, describe } from "../errors.js";
import type { CoroutineLike } from "../kernel/loop.js";
import type { Task } from "../kernel/task.js";
import { suspend, type Instruction, type Waker } from "../kernel/operation.js";

/**
 * Operations that return the results of `aws` in the order they finish (asyncio.as_completed).
 * With `timeout` (ms), the ones still unfinished then throw TimeoutError.
 *
 * @example
 * ```ts
 * for (const next of asCompleted([slow(), fast()])) {
 *   console.log(yield* next); // fast's result first
 * }
 * ```
 */
export function asCompleted<T>(
  aws: Iterable<Task<T> | CoroutineLike<T>>,
  options: { timeout?: number | null } = {},
): Array<Generator<Instruction | undefined, T, unknown>> {
  const loop = requireLoop("asCompleted");
  const timeout = options.timeout ?? null;
  if (timeout !== null && (typeof timeout !== "number" || Number.isNaN(timeout)))
    throw new TypeError(`spindle: asCompleted timeout must be ms, got ${describe(timeout)}`);
  const tasks = [...new Set([...aws].map((a) => ensureTask(a, loop)))];
  const finished: Task<T>[] = [];
  const waiters: Array<Waker<Task<T>>> = [];
  let expired = false;
  let timer: { cancel(): void } | null = null;
  const deliver = (): void => {
    while (waiters.length > 0 && finished.length > 0) {
      const w = waiters.shift()!;
      if (w.resume(finished[0]!)) finished.shift();
    }
  };
  for (const t of tasks) {
    if (t.done()) finished.push(t);
    else
      t._listen(() => {
        // Once the timeout has passed, the ones still unfinished then throw TimeoutError:
        // finishing later does not put them back in line.
        if (expired) return;
        finished.push(t);
        deliver();
      });
  }
  if (timeout !== null)
    timer = loop.callLater(timeout, () => {
      expired = true;
      for (const w of waiters.splice(0)) w.fail(new TimeoutError("spindle: asCompleted timed out"));
    });
  let taken = 0;
  function* next(): Generator<Instruction | undefined, T, unknown> {
    let t: Task<T>;
    if (finished.length > 0) t = finished.shift()!;
    else if (expired) throw new TimeoutError("spindle: asCompleted timed out");
    else
      t = yield* suspend<Task<T>>(
        (waker) => {
          waiters.push(waker);
          return () => {
            const i = waiters.indexOf(waker);
            if (i >= 0) waiters.splice(i, 1);
          };
        },
        { external: false },
      );
    if (++taken === tasks.length) timer?.cancel();
    return t.result();
  }
  return tasks.map(() => next());
}
