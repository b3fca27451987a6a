// Module-level access to loops and tasks, as asyncio's module functions.

import { InvalidStateError } from "../errors.js";
import { asyncContext, running } from "./context.js";
import { EventLoop, type CoroutineLike, type LoopOptions } from "./loop.js";
import { Task as TaskClass, type Task, type TaskOptions } from "./task.js";

let current: EventLoop | null = null;

/**
 * The loop running right now (inside a task, a callback, or an async function started as
 * a task), or null.
 *
 * @example
 * ```ts
 * getRunningLoop(); // null out here
 * await run(function* () { getRunningLoop()!.time(); });
 * ```
 */
export function getRunningLoop(): EventLoop | null {
  return running.loop ?? asyncContext.getStore()?.loop ?? null;
}

/**
 * The running loop; outside one, the current loop (set by setEventLoop or run), created
 * on first use.
 *
 * @example
 * ```ts
 * const loop = getEventLoop();
 * await loop.runUntilComplete(sleep(10));
 * ```
 */
export function getEventLoop(): EventLoop {
  const r = getRunningLoop();
  if (r !== null) return r;
  if (current === null || current.isClosed()) current = new EventLoop();
  return current;
}

/**
 * Makes `loop` the current loop that getEventLoop() returns outside a running one.
 *
 * @example
 * ```ts
 * setEventLoop(newEventLoop({ clock: "virtual" }));
 * await getEventLoop().runUntilComplete(sleep(1000)); // virtual: returns at once
 * ```
 */
export function setEventLoop(loop: EventLoop | null): void {
  if (loop !== null && !(loop instanceof EventLoop))
    throw new TypeError("spindle: setEventLoop takes an EventLoop or null");
  current = loop;
}

/**
 * A new event loop.
 *
 * @example
 * ```ts
 * const loop = newEventLoop({ core: "ts", clock: "virtual" });
 * ```
 */
export function newEventLoop(options?: LoopOptions): EventLoop {
  return new EventLoop(options);
}

/** The running loop, or a clear error naming `what` needed it. */
export function requireLoop(what: string): EventLoop {
  const loop = getRunningLoop();
  if (loop === null)
    throw new InvalidStateError(
      `spindle: ${what} needs a running event loop: call it from a coroutine ` +
        "(inside run() or loop.runUntilComplete()), or use loop.createTask()",
    );
  return loop;
}

/** The running task, or a clear error naming `what` needed it. */
export function requireTask(what: string): Task<unknown> {
  const t = currentTask();
  if (t === null) throw new InvalidStateError(`spindle: ${what} must be used inside a task`);
  return t;
}

/**
 * Schedules a coroutine on the running loop (asyncio.create_task).
 *
 * @example
 * ```ts
 * await run(function* () {
 *   const t = createTask(sleep(10, "a"), { name: "a" });
 *   return yield* t; // "a"
 * });
 * ```
 */
export function createTask<T>(coro: CoroutineLike<T>, options?: TaskOptions): Task<T> {
  return requireLoop("createTask").createTask(coro, options);
}

/**
 * The task whose code is running, or null (asyncio.current_task).
 *
 * @example
 * ```ts
 * createTask(function* () { console.log(currentTask()!.name); }, { name: "worker" });
 * ```
 */
export function currentTask(): Task<unknown> | null {
  // While a drive is on the stack, the loop knows: its task, or none in a callback. The
  // async context only speaks for async-function tasks resumed outside a drive (a drive
  // started from inside one inherits its context, which must not leak into callbacks).
  const loop = running.loop;
  if (loop !== null) return loop._current;
  return asyncContext.getStore()?.task ?? null;
}

/**
 * Unfinished tasks of the running (or given) loop (asyncio.all_tasks).
 *
 * @example
 * ```ts
 * for (const t of allTasks()) if (t !== currentTask()) t.cancel();
 * ```
 */
export function allTasks(loop?: EventLoop): Set<Task<unknown>> {
  return (loop ?? requireLoop("allTasks")).allTasks();
}

/**
 * A Task as is; anything else createTask accepts, scheduled as a new task
 * (asyncio.ensure_future).
 *
 * @example
 * ```ts
 * const t = ensureTask(fetchAll()); // a Task, whether fetchAll() returned one or not
 * ```
 */
export function ensureTask<T>(op: Task<T> | CoroutineLike<T>, loop?: EventLoop): Task<T> {
  if (isTask(op)) return op;
  return (loop ?? requireLoop("ensureTask")).createTask(op);
}

function isTask<T>(x: unknown): x is Task<T> {
  return x instanceof TaskClass;
}
