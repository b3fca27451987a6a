// TaskGroup: structured concurrency, as asyncio's taskgroups.py (3.11, with 3.12's fix for
// when the group withdraws its own cancel request), line for line where JavaScript allows: children report through done callbacks (run soon after they finish);
// the first failure aborts the group (cancels the children) and cancels the parent task
// once, to interrupt the body; on exit the group waits for every child, withdraws its own
// cancel request (uncancel), and throws the failures together as an ExceptionGroup.

import { requireTask } from "../kernel/event-loop.js";
import { CancelledError, ExceptionGroup, InvalidStateError } from "../errors.js";
import { asOperation, type CoroutineLike } from "../kernel/loop.js";
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
  private readonly tasks = new Set<Task<unknown>>();
  private errors: unknown[] = [];
  private aborting = false;
  private exiting = false;
  private parentCancelRequested = false;
  private onCompleted: (() => void) | null = null;

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
    if (this.exiting && this.tasks.size === 0)
      throw new InvalidStateError("spindle: this TaskGroup is finished");
    if (this.aborting) throw new InvalidStateError("spindle: this TaskGroup is shutting down");
    const task = this.parent.loop.createTask(coro, options) as Task<unknown>;
    task.addDoneCallback(this.onTaskDone);
    this.tasks.add(task);
    return task as Task<T>;
  }

  private readonly onTaskDone = (task: Task<unknown>): void => {
    this.tasks.delete(task);
    if (this.onCompleted !== null && this.tasks.size === 0) this.onCompleted();
    if (task.cancelled()) return;
    const exc = task.exception();
    if (exc === null) return;
    this.errors.push(exc);
    if (this.parent.done()) {
      this.parent.loop.callExceptionHandler({
        message: `Task ${task.name} has errored out but its parent task ${this.parent.name} is already completed`,
        exception: exc,
        task,
      });
      return;
    }
    if (!this.aborting && !this.parentCancelRequested) {
      // Interrupt the body (or the wait below) so the group can finish early.
      this.abort();
      this.parentCancelRequested = true;
      this.parent.cancel();
    }
  };

  private abort(): void {
    this.aborting = true;
    for (const t of this.tasks) if (!t.done()) t.cancel();
  }

  /** @internal asyncio's __aexit__: `error` is what the body threw (undefined: none). */
  *exit(bodyFailed: boolean, error: unknown): Generator<Instruction | undefined, void, unknown> {
    this.exiting = true;
    let propagateCancel: unknown = bodyFailed && error instanceof CancelledError ? error : null;
    if (bodyFailed && !this.aborting) this.abort();
    while (this.tasks.size > 0) {
      try {
        yield* suspend<void>(
          (waker) => {
            this.onCompleted = () => void waker.resume();
            return () => void (this.onCompleted = null);
          },
          { external: false, describe: `TaskGroup (${this.tasks.size} tasks left)` },
        );
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        // The parent is being cancelled while it waits for the children: cancel them.
        if (!this.aborting) {
          propagateCancel = e;
          this.abort();
        }
      }
      this.onCompleted = null;
    }
    if (this.parentCancelRequested) {
      // Our own cancel request must be withdrawn; with none left, the CancelledError it
      // caused is ours, not the caller's. After the wait, as CPython 3.12 does: 3.11 does
      // it before, and leaves cancelling() at 1 when a child fails after the body returned.
      if (this.parent.uncancel() === 0) propagateCancel = null;
    }
    if (propagateCancel !== null && this.errors.length === 0) throw propagateCancel;
    if (bodyFailed && !(error instanceof CancelledError)) this.errors.push(error);
    if (this.errors.length > 0) {
      const errors = this.errors;
      this.errors = [];
      throw new ExceptionGroup(
        errors,
        `unhandled errors in a TaskGroup (${errors.length} sub-exception${errors.length > 1 ? "s" : ""})`,
      );
    }
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
  let bodyFailed = false;
  let bodyError: unknown = undefined;
  try {
    // A function, so an async body runs in the task's async context (currentTask() works).
    result = yield* asOperation((() => body(tg)) as () => T);
  } catch (e) {
    bodyFailed = true;
    bodyError = e;
  }
  yield* tg.exit(bodyFailed, bodyError);
  if (bodyFailed) throw bodyError; // a CancelledError of the caller's, after all
  return result as T;
}
