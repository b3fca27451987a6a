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
  // asyncio's _GatheringFuture: a done callback per child (run soon after it finishes),
  // the outer result set when the last one is in, or the first failure set at once.
  let cancelRequested = false;
  yield* suspend<void>(
    (waker) => {
      let remaining = n;
      const onChildDone = (t: Task<unknown>): void => {
        if (!waker.active) {
          // Too late: the gather already failed. Mark the child's error as seen, as
          // asyncio does, so it is not reported as never retrieved.
          if (!t.cancelled()) t.exception();
          return;
        }
        remaining--;
        if (!returnExceptions) {
          if (t.cancelled()) {
            // As asyncio: the gather's CancelledError carries the child's cancel message.
            waker.fail(cancelledOf(t));
            return;
          }
          const e = t.exception();
          if (e !== null) {
            waker.fail(e);
            return;
          }
        }
        if (remaining === 0) {
          if (cancelRequested) waker.fail(cancelledOf(t));
          else waker.resume();
        }
      };
      const offs = tasks.map((t) => t.addDoneCallback(onChildDone));
      return () => {
        for (const off of offs) off();
      };
    },
    {
      external: false,
      describe: `gather of ${n} task${n === 1 ? "" : "s"}`,
      // Cancelling the gather cancels the children, and it fails once they report.
      forwardCancel: (message) => {
        let any = false;
        for (const t of tasks) if (t.cancel(message)) any = true;
        if (any) cancelRequested = true;
        return any;
      },
    },
  );
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
