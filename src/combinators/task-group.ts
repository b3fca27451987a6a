import { requireTask } from "../kernel/event-loop.js";
import { CancelledError, ExceptionGroup } from "../errors.js";
import { callLaterCoroutine, iterable, type CoroutineLike } from "../kernel/loop.js";
import type { Task, TaskOptions } from "../kernel/task.js";
import { suspend, type Instruction } from "../kernel/operation.js";

/**
 * Structured concurrency (asyncio.TaskGroup): tasks created through the group are waited
 * for before `taskGroup` returns; the first failure cancels the siblings and the body, and
 * every failure is thrown together as an ExceptionGroup. Made by `taskGroup`.
 *
 * @example
 * ```ts
 * yield* taskGroup(function* (tg: TaskGroup) {
 *   for (const url of urls) tg.createTask(fetchOne(url));
 * });
 * ```
 */
export class TaskGroup {
  /** @internal */ readonly children = new Set<Task<unknown>>();
  /** @internal */ readonly errors: unknown[] = [];
  /** @internal */ aborting = false;
  /** @internal */ exiting = false;
  /** @internal */ finished = false;
  /** @internal */ parentCancelRequested = false;
  /** @internal */ onEmpty: (() => void) | null = null;

  /** @internal */
  constructor(private readonly parent: Task<unknown>) {}

  /**
   * Starts a child task in the group.
   *
   * @example
   * ```ts
   * yield* taskGroup(function* (tg) {
   *   tg.createTask(fetch("a"));
   *   tg.createTask(fetch("b"));
   * }); // both done here
   * ```
   */
  createTask<T>(coro: CoroutineLike<T>, options?: TaskOptions): Task<T> {
    if (this.finished) throw new Error("spindle: this TaskGroup is finished");
    if (this.aborting) throw new Error("spindle: this TaskGroup is shutting down");
    const task = this.parent.loop.createTask(coro, options);
    this.children.add(task as Task<unknown>);
    task._listen(() => this.childDone(task as Task<unknown>));
    return task;
  }

  private childDone(task: Task<unknown>): void {
    this.children.delete(task);
    if (this.children.size === 0 && this.onEmpty !== null) this.onEmpty();
    if (task.cancelled()) return;
    const e = task.exception();
    if (e === null) return;
    this.errors.push(e);
    if (!this.aborting && !this.parentCancelRequested) {
      this.abort();
      // Interrupt the body (or the wait below) so the group can finish early.
      if (!this.parent.done()) {
        this.parentCancelRequested = true;
        this.parent.cancel();
      }
    }
  }

  /** @internal */
  abort(): void {
    this.aborting = true;
    for (const t of this.children) t.cancel();
  }
}

/**
 * Runs `body(tg)` in the current task; returns its result once every task created via `tg`
 * has finished.
 *
 * @example
 * ```ts
 * const n = yield* taskGroup(function* (tg) {
 *   const a = tg.createTask(sleep(10, 1));
 *   const b = tg.createTask(sleep(20, 2));
 *   return (yield* a) + (yield* b);
 * });
 * ```
 */
export function* taskGroup<T>(
  body: (tg: TaskGroup) => CoroutineLike<T>,
): Generator<Instruction | undefined, T, unknown> {
  const parent = requireTask("taskGroup");
  const tg = new TaskGroup(parent);
  let result: T | undefined;
  let bodyError: unknown = null;
  let bodyFailed = false;
  try {
    result = (yield* iterable(callLaterCoroutine(() => body(tg), parent.loop))) as T;
  } catch (e) {
    bodyFailed = true;
    bodyError = e;
  }
  tg.exiting = true;
  let propagateCancel: CancelledError | null = null;
  if (bodyFailed) {
    if (bodyError instanceof CancelledError) propagateCancel = bodyError;
    else tg.errors.push(bodyError); // after the children's, as asyncio
    if (!tg.aborting) tg.abort();
  }
  while (tg.children.size > 0) {
    try {
      yield* suspend<void>(
        (waker) => {
          tg.onEmpty = () => void waker.resume();
          return () => {
            tg.onEmpty = null;
          };
        },
        { external: false },
      );
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      // Cancelled while waiting: cancel the children, keep waiting for them.
      propagateCancel = e;
      if (!tg.aborting) tg.abort();
    }
  }
  tg.onEmpty = null;
  tg.finished = true;
  if (tg.parentCancelRequested && parent.uncancel() === 0) {
    // The cancellation was ours, to stop the body early: not the caller's.
    propagateCancel = null;
  }
  if (tg.errors.length > 0)
    throw new ExceptionGroup(
      tg.errors,
      `unhandled errors in a TaskGroup (${tg.errors.length} sub-exception${tg.errors.length > 1 ? "s" : ""})`,
    );
  if (propagateCancel !== null) throw propagateCancel;
  if (bodyFailed) throw bodyError;
  return result as T;
}
