import { getRunningLoop, setEventLoop } from "../kernel/event-loop.js";
import type { CoroutineLike, EventLoop, LoopOptions } from "../kernel/loop.js";
import { EventLoop as Loop } from "../kernel/loop.js";
import type { Task } from "../kernel/task.js";
import { gather } from "./gather.js";
import { InvalidStateError } from "../errors.js";
import { coreReady } from "../core/index.js";

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
  if (options.core !== "ts") {
    // A browser's main thread compiles the wasm core asynchronously only: do it here once.
    const compiling = coreReady();
    if (compiling !== undefined) await compiling;
  }
  const loop = new Loop(options);
  setEventLoop(loop);
  let result: T;
  try {
    const task = loop.createTask(main, { name: options.name ?? "main" });
    result = await loop.runUntilComplete(task);
  } catch (error) {
    // The first error is what run() reports: a failure while shutting down after it is a
    // consequence, reported through the loop's exception handler, never in its place.
    await shutDown(loop, (exception) =>
      loop.callExceptionHandler({ message: "error in run() shutdown after a failure", exception }),
    );
    throw error;
  }
  await shutDown(loop, (exception) => {
    throw exception;
  });
  return result;
}

/** Cancels what is left and closes the loop; `onError` gets the first error of either. */
async function shutDown(loop: EventLoop, onError: (error: unknown) => void): Promise<void> {
  let failure: { error: unknown } | null = null;
  try {
    // A loop broken by an internal fault refuses work: its run already rejected with the
    // InternalError, which is what run() reports.
    if (loop.failure === null) await cancelAll(loop);
  } catch (error) {
    failure = { error };
  }
  try {
    // close() runs the loop's close hooks (an executor's pool, servers): wait for them.
    await loop.close();
  } catch (error) {
    failure ??= { error };
  } finally {
    setEventLoop(null);
  }
  if (failure !== null) onError(failure.error);
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
