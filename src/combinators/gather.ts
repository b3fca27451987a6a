import { ensureTask, requireLoop } from "../kernel/event-loop.js";
import { CancelledError } from "../errors.js";
import type { CoroutineLike } from "../kernel/loop.js";
import type { Task } from "../kernel/task.js";
import {
  isCoroutine,
  isOperation,
  isThenable,
  suspend,
  type Instruction,
} from "../kernel/operation.js";

/** Options of gather. */
export interface GatherOptions {
  /** Put failures (and CancelledErrors) in the results instead of throwing the first. */
  returnExceptions?: boolean;
}

type Awaitable<T> = Task<T> | CoroutineLike<T>;
type Results<A extends readonly unknown[]> = {
  [K in keyof A]: A[K] extends Awaitable<infer R> ? R : never;
};

/**
 * Runs operations concurrently (each as a task) and returns their results in order
 * (asyncio.gather). The first failure is thrown, the others keep running — unless
 * `returnExceptions`, then failures are returned in place. Cancelling the waiting task
 * cancels every child. A last argument `{ returnExceptions }` sets options.
 *
 * @example
 * ```ts
 * const [a, b] = yield* gather(worker("a", 3), worker("b", 3));
 * const all = yield* gather(ok(), fails(), { returnExceptions: true }); // [1, Error]
 * ```
 */
export function gather<A extends readonly Awaitable<unknown>[]>(
  ...args: [...A]
): Generator<Instruction | undefined, Results<A>, unknown>;
export function gather<A extends readonly Awaitable<unknown>[]>(
  ...args: [...A, GatherOptions]
): Generator<Instruction | undefined, Results<A>, unknown>;
export function* gather(
  ...args: unknown[]
): Generator<Instruction | undefined, unknown[], unknown> {
  let options: GatherOptions = {};
  const last = args[args.length - 1];
  if (isOptions(last)) {
    options = last;
    args = args.slice(0, -1);
  }
  const loop = requireLoop("gather");
  const tasks = args.map((a) => ensureTask(a as Awaitable<unknown>, loop));
  const n = tasks.length;
  if (n === 0) return [];
  const returnExceptions = options.returnExceptions === true;
  let forwarded = false;
  yield* suspend<void>(
    (waker) => {
      let remaining = n;
      const onDone = (t: Task<unknown>) => (): void => {
        if (!returnExceptions && !forwarded && t.cancelled()) {
          // As asyncio: the gather's CancelledError carries the child's cancel message.
          waker.fail(new CancelledError((cancelledOf(t) as Error).message));
          return;
        }
        if (!returnExceptions && !forwarded && !t.cancelled()) {
          const e = t.exception();
          if (e !== null) {
            waker.fail(e);
            return;
          }
        }
        if (--remaining === 0) waker.resume();
      };
      for (const t of tasks) {
        if (t.done()) onDone(t)();
        else t._listen(onDone(t));
      }
      // Cancelling the gather cancels the children and waits for them (deferCancel).
      return () => {
        forwarded = true;
        for (const t of tasks) t.cancel();
      };
    },
    { external: false, deferCancel: true },
  );
  if (forwarded) throw new CancelledError();
  return tasks.map((t) => {
    if (!returnExceptions) return t.result();
    if (t.cancelled()) return cancelledOf(t);
    const e = t.exception();
    return e !== null ? e : t.result();
  });
}

function cancelledOf(t: Task<unknown>): unknown {
  try {
    t.result();
  } catch (e) {
    return e;
  }
  return new CancelledError();
}

function isOptions(x: unknown): x is GatherOptions {
  return (
    typeof x === "object" &&
    x !== null &&
    !isCoroutine(x) &&
    !isOperation(x) &&
    !isThenable(x) &&
    Object.getPrototypeOf(x) === Object.prototype
  );
}
