// runInExecutor / toThread (asyncio's loop.run_in_executor and asyncio.to_thread) and each
// loop's default executor.
//
// A loop has no field for its executor: the kernel knows nothing of executors (it must not
// import node:worker_threads, nor piscina). The default executor of a loop lives in a
// WeakMap here, is made on first use, and is shut down by a close hook the first use
// registers (loop.onClose): loop.close() — and so run() — settles once its threads have
// exited.

import { getRunningLoop } from "../kernel/event-loop.js";
import type { EventLoop } from "../kernel/loop.js";
import { ExecutorJob } from "./executor-job.js";
import { ThreadPoolExecutor } from "./thread-pool.js";

interface DefaultExecutor {
  executor: ThreadPoolExecutor;
  /** Made by spindle (not installed by setDefaultExecutor): nobody else shuts it down. */
  owned: boolean;
}

const defaults = new WeakMap<EventLoop, DefaultExecutor>();

/**
 * Runs an exported function of a module on a worker thread and waits for its result,
 * without blocking the loop: other tasks run and timers fire meanwhile (asyncio's
 * `loop.run_in_executor(None, func, *args)`). The running loop's default executor runs it
 * (a pool of threads, one per core, made on first use and shut down with the loop).
 *
 * `module` is a URL (`new URL("./jobs.js", import.meta.url)`), a URL string
 * (`"node:crypto"`), or an absolute path; `exportName` names an exported function, called
 * with `args` — structured-cloned, or moved with transfer(). Its return value (or its
 * Promise's) comes back the same way. An error it throws comes back as itself: name,
 * message, the worker's stack, own properties, cause. A missing module raises
 * ModuleNotFoundError; a missing export, ExportNotFoundError.
 *
 * Cancelling the waiting task cancels the job: a job still waiting for a thread is dropped
 * and never runs; a job already running keeps its thread, and the AbortSignal it can read
 * with jobSignal() (from "spindle/worker") aborts — it stops if it checks the signal, and
 * otherwise runs to its end, its result dropped. Either way the task gets CancelledError at
 * once, as in asyncio. Nothing terminates a running job's thread except shutdown, after the
 * executor's shutdownTimeout (default 10 s).
 *
 * @example
 * ```ts
 * const JOBS = new URL("./jobs.js", import.meta.url); // export function fib(n) { ... }
 * await run(function* () {
 *   const n = yield* runInExecutor<number>(JOBS, "fib", 35); // a worker thread computes it
 * });
 * // from an async function running as a task: await runInExecutor(JOBS, "fib", 35)
 * ```
 */
export function runInExecutor<R = unknown>(
  module: string | URL,
  exportName: string,
  ...args: unknown[]
): ExecutorJob<R> {
  return new ExecutorJob<R>(defaultOf, module, exportName, args);
}

/**
 * runInExecutor under asyncio's other name (`asyncio.to_thread(func, *args)`): runs a
 * module's exported function on a worker thread of the loop's default executor.
 *
 * @example
 * ```ts
 * const digest = yield* toThread("node:crypto", "pbkdf2Sync", "secret", "salt", 100_000, 32, "sha256");
 * ```
 */
export const toThread: typeof runInExecutor = runInExecutor;

/**
 * The executor runInExecutor uses on `loop` (default: the running loop): the one
 * setDefaultExecutor installed, or one made on first use with a thread per core. Shut down
 * when the loop closes.
 *
 * @example
 * ```ts
 * const { threads, queued, running } = getDefaultExecutor().stats();
 * ```
 */
export function getDefaultExecutor(loop: EventLoop | null = getRunningLoop()): ThreadPoolExecutor {
  if (loop === null)
    throw new TypeError(
      "spindle: getDefaultExecutor() needs a loop: pass one, or call it while a loop runs",
    );
  return defaultOf(loop);
}

/**
 * Makes `executor` the one runInExecutor uses on `loop` (asyncio's
 * `loop.set_default_executor`). The loop shuts it down when it closes, as it does the one
 * it made itself; a default the loop made and `executor` replaces is shut down now (its
 * jobs finish first).
 *
 * @example
 * ```ts
 * await run(function* () {
 *   setDefaultExecutor(getRunningLoop()!, new ThreadPoolExecutor({ maxWorkers: 2 }));
 *   yield* runInExecutor(JOBS, "crunch"); // on one of those two threads
 * });
 * ```
 */
export function setDefaultExecutor(loop: EventLoop, executor: ThreadPoolExecutor): void {
  if (!(executor instanceof ThreadPoolExecutor))
    throw new TypeError("spindle: setDefaultExecutor needs a ThreadPoolExecutor");
  install(loop, executor, false);
}

function defaultOf(loop: EventLoop): ThreadPoolExecutor {
  const d = defaults.get(loop);
  if (d !== undefined) return d.executor;
  const executor = new ThreadPoolExecutor();
  install(loop, executor, true);
  return executor;
}

function install(loop: EventLoop, executor: ThreadPoolExecutor, owned: boolean): void {
  const previous = defaults.get(loop);
  if (previous === undefined)
    // First default of this loop: shut whichever is the default down when the loop closes.
    // Jobs still in flight then belong to tasks run() has cancelled: they are cancelled too.
    loop.onClose(() => {
      const d = defaults.get(loop);
      defaults.delete(loop);
      return d?.executor.shutdown({ cancelJobs: true });
    });
  else if (previous.owned && previous.executor !== executor) void previous.executor.shutdown();
  defaults.set(loop, { executor, owned });
  executor.reportTo ??= loop;
}
