// ExecutorJob: what runInExecutor() returns — one job on a worker thread, waited for either
// way spindle code waits:
//
//   yield* job   from a coroutine: the task parks (an outside wait, as on a socket) until
//                the job's outcome arrives; cancelling the task cancels the job.
//   await job    from an async function running as a task: a Promise; cancelling the task
//                (its task.signal) cancels the job and rejects with the CancelledError.
//
// The job is submitted when it is first waited for, not when runInExecutor() is called,
// and it runs once: a second yield* (or a yield* after an await) is an error.

import { InvalidStateError } from "../errors.js";
import { currentTask, getRunningLoop } from "../kernel/event-loop.js";
import type { EventLoop } from "../kernel/loop.js";
import { suspend, type Instruction, type Operation } from "../kernel/operation.js";
import type { Task } from "../kernel/task.js";
import { ExecutorError } from "./errors.js";
import { checkExport, normalizeModule } from "./module-url.js";
import { START, type JobSink } from "./symbols.js";
import type { ThreadPoolExecutor } from "./thread-pool.js";

/** An executor, or how to find a loop's (its default executor). */
export type ExecutorChoice = ThreadPoolExecutor | ((loop: EventLoop) => ThreadPoolExecutor);

/**
 * One job on a worker thread, as runInExecutor() / executor.run() return it: `yield*` it
 * from a coroutine, or `await` it from an async function on a loop. Runs once.
 *
 * @example
 * ```ts
 * const job = runInExecutor(JOBS, "countPrimes", 1_000_000); // not submitted yet
 * const n = yield* job;                                       // submitted, waited for
 * ```
 */
export class ExecutorJob<R = unknown> implements Operation<R>, PromiseLike<R> {
  /** The module's URL, as the worker imports it. */
  readonly module: string;
  /** The export called. */
  readonly exportName: string;
  /**
   * The loop and task running where runInExecutor() was called (for `await`). Not named
   * `loop`: ensureTask() takes any object whose `loop` is an EventLoop for a Task.
   */
  private readonly callerLoop: EventLoop | null;
  private readonly callerTask: Task<unknown> | null;
  private started: "yield*" | "await" | null = null;
  private promise: Promise<R> | null = null;

  /** @hidden use runInExecutor() or executor.run() */
  constructor(
    private readonly executor: ExecutorChoice,
    module: string | URL,
    exportName: string,
    private readonly args: readonly unknown[],
  ) {
    // Checked here, so a bad call fails where it is written, not where it is waited for.
    this.module = normalizeModule(module);
    this.exportName = checkExport(exportName);
    this.callerLoop = getRunningLoop();
    this.callerTask = currentTask();
  }

  /** Waits for the job from a coroutine: `const r = yield* job`. */
  [Symbol.iterator](): Iterator<Instruction | undefined, R, unknown> {
    this.claim("yield*");
    const loop = getRunningLoop();
    if (loop === null) throw noLoop(this.exportName);
    const executor = this.resolve(loop);
    return suspend<R>(
      (waker) => {
        const job = executor[START](
          loop,
          this.module,
          this.exportName,
          this.args,
          waker as JobSink,
        );
        return () => job.cancel();
      },
      { describe: "runInExecutor" },
    );
  }

  /** Awaits the job from async code on a loop. */
  then<R1 = R, R2 = never>(
    onfulfilled?: ((value: R) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this.promise === null) {
      this.claim("await");
      this.promise = this.start();
    }
    return this.promise.then(onfulfilled, onrejected);
  }

  /** "runInExecutor(file:///…/jobs.js#countPrimes)" */
  toString(): string {
    return `runInExecutor(${this.module}#${this.exportName})`;
  }

  private start(): Promise<R> {
    const loop = this.callerLoop ?? getRunningLoop();
    if (loop === null) return Promise.reject(noLoop(this.exportName));
    let executor: ThreadPoolExecutor;
    try {
      executor = this.resolve(loop);
    } catch (e) {
      return Promise.reject(e);
    }
    // The task that awaits: its cancellation (task.signal) cancels the job.
    const task = this.callerTask ?? currentTask();
    const jobs = task === null || task.loop !== loop ? null : jobsOf(task);
    return new Promise<R>((resolve, reject) => {
      if (jobs?.signal.aborted) return reject(jobs.signal.reason);
      const awaited = new AwaitedJob(resolve as (v: unknown) => void, reject, jobs);
      try {
        awaited.job = executor[START](loop, this.module, this.exportName, this.args, awaited);
      } catch (e) {
        return reject(e);
      }
      jobs?.add(awaited);
    });
  }

  private resolve(loop: EventLoop): ThreadPoolExecutor {
    return typeof this.executor === "function" ? this.executor(loop) : this.executor;
  }

  private claim(how: "yield*" | "await"): void {
    if (this.started !== null)
      throw new InvalidStateError(
        `spindle: ${this.toString()} was already started (by ${this.started}); a job runs ` +
          `once: call runInExecutor() again to run it again`,
      );
    this.started = how;
  }
}

/** A job awaited from async code: where its outcome goes, and how a cancel reaches it. */
class AwaitedJob implements JobSink {
  job: { cancel(): void } | null = null;
  constructor(
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: unknown) => void,
    private readonly jobs: TaskJobs | null,
  ) {}
  resume(value: unknown): void {
    this.jobs?.delete(this);
    this.resolve(value);
  }
  fail(error: unknown): void {
    this.jobs?.delete(this);
    this.reject(error);
  }
  /** The awaiting task was cancelled: cancel the job, reject with the CancelledError. */
  cancel(reason: unknown): void {
    this.job?.cancel();
    this.reject(reason);
  }
}

/**
 * The jobs the async code of one task awaits. One 'abort' listener on the task's signal
 * serves them all (a listener per job would trip Node's MaxListeners warning at 11 jobs,
 * and cost an addEventListener each).
 */
class TaskJobs {
  private readonly jobs = new Set<AwaitedJob>();
  constructor(readonly signal: AbortSignal) {
    signal.addEventListener(
      "abort",
      () => {
        const jobs = [...this.jobs];
        this.jobs.clear();
        for (const j of jobs) j.cancel(signal.reason);
      },
      { once: true },
    );
  }
  add(job: AwaitedJob): void {
    this.jobs.add(job);
  }
  delete(job: AwaitedJob): void {
    this.jobs.delete(job);
  }
}

const taskJobs = new WeakMap<Task<unknown>, TaskJobs>();

function jobsOf(task: Task<unknown>): TaskJobs {
  let jobs = taskJobs.get(task);
  if (jobs === undefined) taskJobs.set(task, (jobs = new TaskJobs(task.signal)));
  return jobs;
}

function noLoop(exportName: string): ExecutorError {
  return new ExecutorError(
    `spindle: runInExecutor(…, "${exportName}") needs a running event loop: wait for it ` +
      "from a coroutine or an async function running as a task (inside run()), or use " +
      "executor.submit() outside one",
  );
}
