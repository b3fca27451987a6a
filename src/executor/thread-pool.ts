// ThreadPoolExecutor: a pool of worker threads (piscina) that runs exported functions of
// modules, for runInExecutor / toThread (asyncio's loop.run_in_executor).
//
// HOW a job travels:
//
//   submit ─▶ spindle's FIFO queue ─(a thread is free)─▶ piscina.run(payload) ─▶ worker thread
//                  │ cancel: unlinked,                      │ cancel before start: the runner
//                  │ never reaches a thread                 │ skips it; while running: its
//                  ▼                                        ▼ AbortSignal fires (slots.ts)
//             the waiter's CancelledError            result / error ─▶ the waiter's waker
//
// WHY a queue of our own in front of piscina's. piscina 5.3 does not start queued jobs in the
// order they were submitted (measured: twelve jobs on two threads started as 0 1 2 4 6 10 8
// 3 11 7 9 5 — a job it cannot place goes to the back), and cancelling a job through its
// `signal` option terminates the worker thread when the job is already running. spindle
// keeps the FIFO itself, hands piscina no more jobs than it has threads to start them on,
// and cancels cooperatively through shared memory. Handing piscina one job ahead per thread
// (so a thread finds its next job posted the moment it finishes) was tried and measured
// slower, not faster: 6.2k against 15.6k jobs/s of fib(15) on two threads, piscina alone
// 15.5k and 19.3k in the same runs (interleaved rounds on the loaded 2-core development
// machine, while choosing; the throwaway script was not kept — bench/executor-cpu.ts is its
// successor, with one job per thread).
//
// Lifetime. The piscina pool is created on the first job (no thread before), threads start
// on demand up to maxWorkers and, by default, stay until shutdown — as Python's
// ThreadPoolExecutor's. While a loop has jobs in flight, the executor holds it
// (loop.holdExternal). shutdown() ends every thread; a loop's default executor is shut down
// when the loop closes (runInExecutor's module does that), so no thread outlives run().

// Node's built-ins through "#node-host": in a browser they throw NodeOnlyError (Node-only).
import { availableParallelism, createRequire } from "#node-host";
import type { ResourceLimits } from "node:worker_threads";
import type { Piscina } from "piscina";
import { describe } from "../errors.js";
import type { EventLoop, ExternalHold } from "../kernel/loop.js";
import { ExecutorError } from "./errors.js";
import { ExecutorJob } from "./executor-job.js";
import { checkExport, normalizeModule } from "./module-url.js";
import { FAILED, OK, SKIPPED, rebuildError, type Outcome, type Payload } from "./protocol.js";
import { RUNNING, QUEUED, Slots } from "./slots.js";
import { CANCEL, START, type JobSink } from "./symbols.js";
import { isTransfer } from "./transfer.js";

/**
 * The worker-side runner piscina loads in every thread. Its name is not a literal inside
 * `new URL(...)`: bundlers follow that pattern (esbuild does) and would pull the runner, a
 * Node-only worker-thread file, into a browser bundle of the root entry.
 */
const RUNNER_FILE = "runner.js";
const RUNNER = new URL(`./${RUNNER_FILE}`, import.meta.url).href;

/**
 * piscina, loaded when the first pool starts: importing it takes tens of ms (60 ms measured
 * on a loaded machine), which `import "spindle"` must not cost a program that never runs a
 * job. It is CommonJS, so require() loads it synchronously where the pool starts.
 */
let PiscinaClass: typeof Piscina | null = null;
function loadPiscina(): typeof Piscina {
  PiscinaClass ??= (createRequire(import.meta.url)("piscina") as typeof import("piscina")).Piscina;
  return PiscinaClass;
}

/**
 * Default time (ms) a job that was told to stop (its task cancelled, or shutdown with
 * cancelJobs) gets to return at shutdown before its thread is terminated. Long enough for
 * a job that checks its signal between chunks of work; short enough that a stuck job does
 * not hold up the process's exit for long. Picked, not measured.
 */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** Options of `new ThreadPoolExecutor(options)`. */
export interface ThreadPoolExecutorOptions {
  /** Threads at most (default: os.availableParallelism(), one per core). */
  maxWorkers?: number;
  /** Threads kept even when idle, started with the first job (default 0). */
  minWorkers?: number;
  /**
   * How long (ms) a thread beyond minWorkers may stay idle before it exits (default
   * Infinity: a thread, once started, serves until shutdown, as in Python).
   */
  idleTimeout?: number;
  /** Jobs waiting for a thread at most; beyond it, runInExecutor throws (default Infinity). */
  maxQueue?: number;
  /**
   * How long (ms) jobs told to stop get to return at shutdown before their threads are
   * terminated (default SHUTDOWN_TIMEOUT_MS, 10 s).
   */
  shutdownTimeout?: number;
  /** V8 heap limits of each thread (node:worker_threads' resourceLimits). */
  resourceLimits?: ResourceLimits;
  /** Node options of each thread (default: the process's execArgv). */
  execArgv?: string[];
  /** process.env of each thread (default: a copy of the process's). */
  env?: Record<string, string | undefined>;
  /** A name for reports: stats(), the loop's holds, errors (default "ThreadPoolExecutor-N"). */
  name?: string;
}

/**
 * What executor.stats() reports.
 *
 * @example
 * ```ts
 * const { threads, queued, running } = executor.stats();
 * ```
 */
export interface ExecutorStats {
  /** Threads alive (starting, idle or busy). */
  threads: number;
  /** Jobs waiting for a thread. */
  queued: number;
  /** Jobs a thread has started and not finished (cancelled ones included until they return). */
  running: number;
  /** Jobs finished so far (returned, threw, or were skipped after a cancel). */
  completed: number;
  /** True once shutdown() was called. */
  shutdown: boolean;
}

/** Where a job is, seen from the main thread (its slot says more once it is HANDED). */
const WAITING = 0; // in spindle's queue
const HANDED = 1; // given to piscina: on, or on its way to, a thread
const LEFT = 2; // settled, or cancelled while waiting: gone from the executor

/** A loop's jobs in flight on one executor, and the hold that keeps the loop aware of them. */
class LoopJobs {
  count = 0;
  hold: ExternalHold | null = null;
  constructor(
    readonly loop: EventLoop,
    readonly description: string,
  ) {}
  add(): void {
    if (this.count++ === 0) this.hold = this.loop.holdExternal(this.description);
  }
  remove(): void {
    if (--this.count === 0) {
      this.hold?.release();
      this.hold = null;
    }
  }
}

/** One submitted job on the main thread. Cancel it with cancel(). */
export class Job {
  /** @hidden the queue's links */
  prev: Job | null = null;
  next: Job | null = null;
  state = WAITING;
  /** Told to stop: its outcome is dropped. */
  cancelled = false;
  constructor(
    readonly executor: ThreadPoolExecutor,
    readonly payload: Payload,
    readonly transferList: object[] | undefined,
    public sink: JobSink | null,
    readonly loopJobs: LoopJobs | null,
  ) {}

  /**
   * Drops the job if it waits for a thread; asks it to stop (its AbortSignal) if a thread
   * has it. Its outcome, if it still comes, is dropped. Idempotent.
   */
  cancel(): void {
    if (this.cancelled || this.state === LEFT) return;
    this.cancelled = true;
    this.sink = null;
    this.executor[CANCEL](this);
  }
}

let executorCount = 0;

/**
 * A pool of worker threads that runs exported functions of modules (asyncio's
 * ThreadPoolExecutor, on node:worker_threads through piscina). Each loop gets one lazily as
 * its default (getDefaultExecutor); make your own to size it, and install it with
 * setDefaultExecutor or call `executor.run(...)` directly.
 *
 * @example
 * ```ts
 * const executor = new ThreadPoolExecutor({ maxWorkers: 4 });
 * const hash = yield* executor.run(new URL("./jobs.js", import.meta.url), "sha256", data);
 * await executor.shutdown();
 * ```
 */
export class ThreadPoolExecutor {
  /** The options, with defaults filled in. */
  readonly options: Readonly<
    Required<Omit<ThreadPoolExecutorOptions, "resourceLimits" | "execArgv" | "env">>
  > &
    Pick<ThreadPoolExecutorOptions, "resourceLimits" | "execArgv" | "env">;
  private pool: Piscina | null = null;
  private slots: Slots | null = null;
  private head: Job | null = null;
  private tail: Job | null = null;
  private waiting = 0;
  private handed = 0;
  private completed = 0;
  /** Jobs handed to piscina at most: one per thread. */
  private readonly capacity: number;
  private readonly loops = new Map<EventLoop, LoopJobs>();
  /** Jobs handed to piscina and not settled yet. */
  private readonly handedJobs = new Set<Job>();
  private closing: Promise<void> | null = null;
  /** Resolves shutdown's wait when the last handed (or live) job settles. */
  private onIdle: (() => void) | null = null;
  /** The loop whose exception handler hears pool errors nobody else can receive. */
  reportTo: EventLoop | null = null;

  constructor(options: ThreadPoolExecutorOptions = {}) {
    if (typeof options !== "object" || options === null)
      throw new TypeError(
        `spindle: ThreadPoolExecutor options must be an object, got ${describe(options)}`,
      );
    const maxWorkers = options.maxWorkers ?? availableParallelism();
    checkCount(maxWorkers, "maxWorkers", 1);
    const minWorkers = options.minWorkers ?? 0;
    checkCount(minWorkers, "minWorkers", 0);
    if (minWorkers > maxWorkers)
      throw new RangeError(
        `spindle: ThreadPoolExecutor minWorkers (${minWorkers}) exceeds maxWorkers (${maxWorkers})`,
      );
    const idleTimeout = options.idleTimeout ?? Infinity;
    checkMs(idleTimeout, "idleTimeout");
    const maxQueue = options.maxQueue ?? Infinity;
    if (maxQueue !== Infinity) checkCount(maxQueue, "maxQueue", 0);
    const shutdownTimeout = options.shutdownTimeout ?? SHUTDOWN_TIMEOUT_MS;
    checkMs(shutdownTimeout, "shutdownTimeout");
    const name = options.name ?? `ThreadPoolExecutor-${++executorCount}`;
    if (typeof name !== "string")
      throw new TypeError(
        `spindle: ThreadPoolExecutor name must be a string, got ${describe(name)}`,
      );
    this.options = {
      maxWorkers,
      minWorkers,
      idleTimeout,
      maxQueue,
      shutdownTimeout,
      name,
      resourceLimits: options.resourceLimits,
      execArgv: options.execArgv,
      env: options.env,
    };
    this.capacity = maxWorkers;
  }

  /**
   * Runs `module`'s export `exportName` with `args` on one of this pool's threads; yield* it
   * from a coroutine, or await it from async code on a loop. As runInExecutor, on this
   * executor rather than the loop's default.
   *
   * @example
   * ```ts
   * const n = yield* executor.run(JOBS, "countPrimes", 1_000_000);
   * ```
   */
  run<R = unknown>(module: string | URL, exportName: string, ...args: unknown[]): ExecutorJob<R> {
    return new ExecutorJob<R>(this, module, exportName, args);
  }

  /**
   * Runs a job from anywhere — no loop needed — and returns a Promise of its result
   * (concurrent.futures' submit). `signal` cancels it as cancelling a waiting task would.
   *
   * @example
   * ```ts
   * const n = await executor.submit(JOBS, "countPrimes", [1_000_000], {
   *   signal: AbortSignal.timeout(5_000), // cancels the job after 5 s
   * });
   * ```
   */
  submit<R = unknown>(
    module: string | URL,
    exportName: string,
    args: readonly unknown[] = [],
    options: { signal?: AbortSignal } = {},
  ): Promise<R> {
    if (!Array.isArray(args))
      return Promise.reject(
        new TypeError(
          `spindle: executor.submit(module, exportName, args) takes the arguments as an array, got ${describe(args)}`,
        ),
      );
    return new Promise<R>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) return reject(signal.reason);
      const sink: JobSink = {
        resume: (v) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(v as R);
        },
        fail: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      const job = this[START](null, normalizeModule(module), checkExport(exportName), args, sink);
      function onAbort(): void {
        job.cancel();
        reject(signal!.reason);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Stops the executor: it takes no new jobs, and the returned Promise settles once every
   * thread has exited. By default the jobs already submitted run to completion first (as
   * Python's shutdown(wait=True)). With `cancelJobs`, they are cancelled instead, as if
   * their tasks were: waiting ones are dropped, running ones get their AbortSignal and
   * `shutdownTimeout` ms to return before their threads are terminated; their waiters fail
   * with ExecutorError. Idempotent (later calls return the same Promise).
   *
   * @example
   * ```ts
   * await executor.shutdown();                      // let submitted jobs finish
   * await executor.shutdown({ cancelJobs: true }); // or stop them
   * ```
   */
  shutdown(options: { cancelJobs?: boolean } = {}): Promise<void> {
    if (this.closing !== null) {
      if (options.cancelJobs === true) this.cancelAll();
      return this.closing;
    }
    this.closing = this.close(options.cancelJobs === true);
    return this.closing;
  }

  /** `await using executor = new ThreadPoolExecutor()`: shutdown() at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /** True once shutdown() was called. */
  get isShutdown(): boolean {
    return this.closing !== null;
  }

  /**
   * The threads alive now (node:worker_threads Worker objects): to watch them, e.g. count
   * their 'exit' events.
   *
   * @example
   * ```ts
   * for (const w of executor.threads) w.once("exit", () => console.log("a thread ended"));
   * ```
   */
  get threads(): readonly import("node:worker_threads").Worker[] {
    return this.pool === null ? [] : this.pool.threads;
  }

  /**
   * Counters: threads alive, jobs waiting for a thread, jobs running, jobs completed.
   *
   * @example
   * ```ts
   * const { threads, queued, running, completed } = executor.stats();
   * ```
   */
  stats(): ExecutorStats {
    let running = 0;
    let queued = this.waiting;
    const slots = this.slots;
    if (slots !== null)
      for (let i = 0; i < slots.capacity; i++) {
        const s = slots.state(i);
        if (s === RUNNING) running++;
        else if (s === QUEUED) queued++;
      }
    return {
      threads: this.pool?.threads.length ?? 0,
      queued,
      running,
      completed: this.completed,
      shutdown: this.isShutdown,
    };
  }

  /** "<ThreadPoolExecutor-1 2 threads>" */
  toString(): string {
    return `<${this.options.name} ${this.threads.length} threads>`;
  }

  // ── jobs ────────────────────────────────────────────────────────────────────────────

  /**
   * Submits a job; `module` is normalised and `exportName` checked by the caller. Throws
   * ExecutorError after shutdown or when the queue is full.
   */
  [START](
    loop: EventLoop | null,
    module: string,
    exportName: string,
    args: readonly unknown[],
    sink: JobSink,
  ): Job {
    if (this.closing !== null)
      throw new ExecutorError(
        `spindle: ${this.options.name} was shut down: it cannot run ${exportName}() any more`,
      );
    if (this.waiting >= this.options.maxQueue && this.handed >= this.capacity)
      throw new ExecutorError(
        `spindle: ${this.options.name}'s queue is full (${this.options.maxQueue} jobs waiting)`,
      );
    // The pool starts with the first job, here, where a failure (piscina refusing an
    // option) throws before any state changed.
    if (this.pool === null) this.startPool();
    // transfer() markers: move their buffers now, so the caller's are detached at once.
    let list: object[] | undefined;
    let a = args as unknown[];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (!isTransfer(arg)) continue;
      if (list === undefined) {
        list = [];
        a = args.slice();
      }
      const moved = structuredClone(
        { value: arg.value, list: arg.list },
        {
          transfer: arg.list as never,
        },
      );
      a[i] = moved.value;
      for (const item of moved.list) list.push(item);
    }
    const loopJobs = loop === null ? null : this.loopJobs(loop);
    const job = new Job(this, { u: module, n: exportName, a, s: -1 }, list, sink, loopJobs);
    loopJobs?.add();
    this.enqueue(job);
    this.pump();
    return job;
  }

  /** Cancels a job: unlinked if waiting, asked to stop through its slot if handed. */
  [CANCEL](job: Job): void {
    if (job.state === WAITING) {
      this.unlink(job);
      this.finish(job);
      return;
    }
    this.slots!.cancel(job.payload.s);
  }

  private loopJobs(loop: EventLoop): LoopJobs {
    let l = this.loops.get(loop);
    if (l === undefined) {
      l = new LoopJobs(loop, `${this.options.name}: jobs in flight`);
      this.loops.set(loop, l);
      loop.onClose(() => void this.loops.delete(loop));
    }
    return l;
  }

  private enqueue(job: Job): void {
    job.prev = this.tail;
    if (this.tail === null) this.head = job;
    else this.tail.next = job;
    this.tail = job;
    this.waiting++;
  }

  private unlink(job: Job): void {
    if (job.prev === null) this.head = job.next;
    else job.prev.next = job.next;
    if (job.next === null) this.tail = job.prev;
    else job.next.prev = job.prev;
    job.prev = job.next = null;
    this.waiting--;
  }

  /** Hands waiting jobs to piscina while it has threads free for them. */
  private pump(): void {
    while (this.head !== null && this.handed < this.capacity) {
      const job = this.head;
      this.unlink(job);
      this.handOff(job);
    }
  }

  private handOff(job: Job): void {
    const pool = this.pool!;
    job.state = HANDED;
    job.payload.s = this.slots!.take();
    this.handed++;
    this.handedJobs.add(job);
    const run =
      job.transferList === undefined
        ? pool.run(job.payload)
        : pool.run(job.payload, { transferList: job.transferList as never });
    run.then(
      (outcome: Outcome) => this.settled(job, outcome),
      (error: unknown) => this.rejected(job, error),
    );
  }

  private settled(job: Job, outcome: Outcome): void {
    const sink = this.release(job);
    if (sink === null) return;
    if (outcome[0] === OK) sink.resume(outcome[1]);
    else if (outcome[0] === FAILED) sink.fail(rebuildError(outcome[1]));
    else if (outcome[0] === SKIPPED)
      // Only a cancelled job is skipped, and a cancelled job has no sink.
      sink.fail(new ExecutorError(`spindle: ${job.payload.n}() was skipped by its thread`));
  }

  private rejected(job: Job, error: unknown): void {
    const sink = this.release(job);
    if (sink === null) return;
    sink.fail(this.poolError(job, error));
  }

  /** A handed job settled: frees its slot, hands the next; returns its sink (null if cancelled). */
  private release(job: Job): JobSink | null {
    this.slots!.release(job.payload.s);
    this.handed--;
    this.handedJobs.delete(job);
    this.completed++;
    const sink = job.sink;
    this.finish(job);
    this.pump();
    return sink;
  }

  /** The job left the executor (settled, or cancelled while waiting). */
  private finish(job: Job): void {
    job.state = LEFT;
    job.sink = null;
    job.loopJobs?.remove();
    if (this.onIdle !== null && this.handed === 0 && this.head === null) this.onIdle();
  }

  /** What piscina rejected a job with, as the error its waiter sees. */
  private poolError(job: Job, error: unknown): unknown {
    const what = `${job.payload.n}() of ${job.payload.u}`;
    const message = error instanceof Error ? error.message : String(error);
    if (/^worker exited with code/.test(message))
      return new ExecutorError(
        `spindle: the worker thread running ${what} exited before the job returned ` +
          `(${message}: process.exit() in the job, or the thread's resourceLimits exceeded)`,
        { cause: error },
      );
    if (message === "Terminating worker thread")
      return new ExecutorError(
        `spindle: ${this.options.name} shut down, terminating the thread running ${what}`,
        { cause: error },
      );
    if (!(error instanceof Error))
      // A thread that died after its job returned: piscina could not post the result back
      // (a value structured clone cannot copy, deep inside it), so the thread threw.
      return new ExecutorError(
        `spindle: the worker thread running ${what} failed after the job returned and was ` +
          "replaced: its result could not be sent back (it holds a value structured clone " +
          "cannot copy, such as a function or a class instance's private state)",
        { cause: error },
      );
    // The platform's own errors pass as they are: a DataCloneError for an argument that
    // cannot be sent, ERR_WORKER_OUT_OF_MEMORY, …
    return error;
  }

  private startPool(): Piscina {
    const o = this.options;
    this.slots = new Slots(this.capacity);
    const pool = new (loadPiscina())({
      filename: RUNNER,
      minThreads: o.minWorkers,
      maxThreads: o.maxWorkers,
      idleTimeout: o.idleTimeout,
      // One job per thread: a job's AbortSignal and its thread are the job's alone.
      concurrentTasksPerWorker: 1,
      // spindle keeps the queue; piscina never holds more than it can start.
      maxQueue: Infinity,
      recordTiming: false,
      workerData: { states: this.slots.buffer },
      ...(o.resourceLimits !== undefined ? { resourceLimits: o.resourceLimits } : {}),
      ...(o.execArgv !== undefined ? { execArgv: o.execArgv } : {}),
      ...(o.env !== undefined ? { env: o.env } : {}),
    });
    // Errors no job can receive (a thread that failed while idle): to the loop's handler.
    pool.on("error", (exception: unknown) => {
      const loop = this.reportTo;
      const context = { message: `${o.name}: a worker thread failed`, exception };
      if (loop !== null && !loop.isClosed()) loop.callExceptionHandler(context);
      else console.error(`spindle: ${context.message}\n`, exception);
    });
    this.pool = pool;
    return pool;
  }

  // ── shutdown ────────────────────────────────────────────────────────────────────────

  private cancelAll(): void {
    const gone = new ExecutorError(
      `spindle: ${this.options.name} was shut down before the job finished`,
    );
    for (const job of [...this.inFlight(), ...this.handedJobs]) {
      job.sink?.fail(gone);
      job.cancel();
    }
  }

  private *inFlight(): Generator<Job> {
    for (let job = this.head; job !== null; job = job.next) yield job;
  }

  private async close(cancelJobs: boolean): Promise<void> {
    if (cancelJobs) this.cancelAll();
    const pool = this.pool;
    if (pool === null) return;
    if (this.handed > 0 || this.head !== null) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.onIdle = resolve;
        // Jobs told to stop get shutdownTimeout ms; jobs left to finish, all the time they need.
        if (cancelJobs && this.options.shutdownTimeout !== Infinity)
          timer = setTimeout(resolve, this.options.shutdownTimeout);
      });
      clearTimeout(timer);
      this.onIdle = null;
    }
    // Ends every thread (a job still running past the timeout is terminated) and waits for
    // their 'exit' events.
    await pool.destroy();
  }
}

function checkCount(n: unknown, what: string, min: number): asserts n is number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < min)
    throw new RangeError(
      `spindle: ThreadPoolExecutor ${what} must be an integer >= ${min}, got ${describe(n)}`,
    );
}

function checkMs(ms: unknown, what: string): asserts ms is number {
  if (typeof ms !== "number" || Number.isNaN(ms) || ms < 0)
    throw new RangeError(
      `spindle: ThreadPoolExecutor ${what} must be a number of ms >= 0 (or Infinity), got ${describe(ms)}`,
    );
}
