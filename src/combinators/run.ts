import { getRunningLoop, setEventLoop } from "../kernel/event-loop.js";
import type { CoroutineLike, EventLoop, LoopOptions } from "../kernel/loop.js";
import { EventLoop as Loop } from "../kernel/loop.js";
import type { Task } from "../kernel/task.js";
import { gather } from "./gather.js";
import { InvalidStateError } from "../errors.js";

/** Options of run(): the loop's, and the main task's name. */
export interface RunOptions extends LoopOptions {
  /** Name of the main task (default "main"). */
  name?: string;
}

/**
 * Runs `main` on a new event loop and returns its result (asyncio.run): creates the loop,
 * runs main to completion, cancels the tasks still pending and waits for them, reports
 * failures nobody retrieved, and closes the loop. Rejects with main's error.
 *
 * @example
 * ```ts
 * function* worker(name: string, n: number) {
 *   for (let i = 0; i < n; i++) yield;
 *   return name.length;
 * }
 * const total = await run(function* () {
 *   const [a, b] = yield* gather(worker("a", 3), worker("bb", 3));
 *   return a + b; // 3
 * });
 * ```
 */
export async function run<T>(main: CoroutineLike<T>, options: RunOptions = {}): Promise<T> {
  if (getRunningLoop() !== null)
    throw new InvalidStateError("spindle: run() cannot be called from a running event loop");
  const loop = new Loop(options);
  setEventLoop(loop);
  try {
    const task = loop.createTask(main, { name: options.name ?? "main" });
    return await loop.runUntilComplete(task);
  } finally {
    try {
      // A loop broken by an internal fault refuses work: its run already rejected with
      // the InternalError, which is what run() reports.
      if (loop.failure === null) await cancelAll(loop);
    } finally {
      // close() runs the loop's close hooks (an executor's pool, servers): wait for them.
      await loop.close();
      setEventLoop(null);
    }
  }
}

/** Cancels every pending task of `loop` and runs the loop until they have finished. */
export async function cancelAll(loop: EventLoop): Promise<void> {
  const tasks = [...loop.allTasks()];
  if (tasks.length === 0) return;
  for (const t of tasks) t.cancel();
  await loop.runUntilComplete(function* () {
    yield* gather(...tasks, { returnExceptions: true });
  });
  for (const t of tasks as Task<unknown>[]) {
    if (t.cancelled()) continue;
    const exception = t.exception();
    if (exception !== null)
      loop.callExceptionHandler({
        message: "unhandled exception during run() shutdown",
        exception,
        task: t,
      });
  }
}
