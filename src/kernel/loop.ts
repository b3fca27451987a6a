// The event loop: drives coroutines on a scheduler core, as a guest in Node's event loop.
//
// HOW. A drive runs ticks back to back. A tick has three phases:
//   1. timers — if the earliest deadline is due, core.advance(now) moves every due task
//      into the ready queue inside the core (one crossing, however many timers fire);
//   2. run    — take exactly the entries that were queued when the tick began (asyncio's
//      fairness: work readied during the tick waits for the next one), drain()ing them in
//      batches of up to BATCH_CAPACITY ids, and run each task step or callback;
//   3. wakes  — ids readied during the tick (bare yields, wakers, callSoon) were collected
//      in `pending`; one readyBatch() hands them to the core, in order.
// So the boundary is crossed a few times per tick, never once per task.
//
// WHY a guest. Node owns the process. A drive runs for at most DRIVE_SLICE_MS before it
// gives Node a turn (setImmediate); when nothing is ready it arms at most one Node timer for
// the core's next deadline; a wake from outside (a Promise, a socket) starts a drive in a
// microtask. Nothing here loops on microtasks: a drive that still has work when its slice
// ends continues in a macrotask.
//
// WHY the virtual clock. With clock "virtual", an idle loop jumps time to the next deadline
// instead of waiting for it (trio's autojump), so tests run hours of sleeps in milliseconds.
//
// Deadlock. With nothing ready, no timer armed and no external wait (Promise, I/O) pending,
// no task can ever be woken: on a virtual clock the loop says so at once, by throwing
// DeadlockError into the task runUntilComplete waits for; on the real clock it says so when
// the host itself has nothing left that could wake a task (process 'beforeExit'), the moment
// the program would otherwise exit silently with the await unsettled. Bun and Deno emit no
// 'beforeExit' while a top-level await is pending: there a watchdog (an unref'd interval,
// armed only while the loop waits with nothing ready and no timer) asks the host's idle
// probe (host.ts) instead.

import { WasmCore, createCore, type Core, type CoreKind } from "../core/index.js";
import { BATCH_CAPACITY, MAX_DEADLINE, SLOT_MASK } from "../core/ts/constants.js";
import { RealClock, VirtualClock, type Clock } from "./clock.js";
import { DeadlockError, InternalError, InvalidStateError, describe } from "../errors.js";
import {
  isCoroutine,
  isOperation,
  isThenable,
  suspend,
  type Coroutine,
  type Instruction,
  type Operation,
} from "./operation.js";
import { asyncContext, running } from "./context.js";
import { hostIdleProbe, macrotask, onHostIdle } from "./host.js";
import { Handle, TimerHandle } from "./handle.js";
import { DONE, PARKED, Task, TaskWaker, type TaskOptions } from "./task.js";

/**
 * Longest a drive runs before giving Node a turn, in ms. Picked so I/O waits at most a few
 * ms behind CPU-bound tasks while the hand-off (one macrotask, ~1 µs) costs < 0.1%.
 */
export const DRIVE_SLICE_MS = 4;
/**
 * The clock is read once every so many task steps (counted across ticks: a ping-pong's
 * ticks have one or two steps each), the number sized from the measured cost per step so
 * that the interval takes about this long (ms): a quarter of the slice, so a drive
 * overruns DRIVE_SLICE_MS by at most about that much while steps cost what they cost an
 * interval ago. Reading performance.now() costs ~30-50 ns; an interval of fast steps
 * (~70 ns each) is then ~1,000 steps, so the reads cost < 0.1% (a read per tick cost a
 * ping-pong 14% of its time, measured).
 */
const BATCH_TARGET_MS = DRIVE_SLICE_MS / 4;
/** Fewest steps between two looks at the clock: steps of a ms or more get one each. */
const MIN_BATCH = 1;
/**
 * Directed hand-offs (Waker.handOff) that may run back to back before the next one waits
 * in the ready queue like any wake. Two tasks that hand off to each other would otherwise
 * run forever while the rest starve. tokio bounds its LIFO slot the same way; its figure
 * (3) is for latency, ours is for switch-heavy code (greenlet ping-pong): 64 keeps a
 * chain's cost per switch at ~1.5% of a trip through the queue while the rest of the tick
 * waits at most 64 steps.
 */
export const MAX_HANDOFF_CHAIN = 64;
/**
 * Pending callback handles at most: their tokens are -2 - index, i32s <= -2. 2^30 is far
 * past what memory holds (a handle is ~60 bytes) and keeps every token a V8 small integer.
 */
const MAX_HANDLES = 2 ** 30;

/** The settled Promise whose then() schedules a drive as a microtask (see kick). */
const RESOLVED: Promise<void> = Promise.resolve();
/**
 * Virtual clock: real ms the loop waits, idle, for pending outside work (I/O, Promises)
 * before it jumps time to the next deadline. One ms: long enough for loopback I/O already
 * in flight to land, short enough that tests stay fast.
 */
const QUIET_MS = 1;
/**
 * Real clock, Bun and Deno: how often the deadlock watchdog asks the host whether anything
 * could still wake a task (only while the loop waits with nothing ready and no timer).
 */
export const WATCHDOG_MS = 50;

interface Unretrieved {
  loop: EventLoop;
  ref: WeakRef<Task<unknown>>;
  name: string;
  exception: unknown;
}
const unretrievedRegistry = new FinalizationRegistry<Unretrieved>((u) =>
  u.loop._collectedUnretrieved(u.ref, u.name, u.exception),
);

function peekException(task: Task<unknown>): unknown {
  return task._peekOutcome();
}

/** What callExceptionHandler receives (asyncio's context dict). */
export interface ExceptionContext {
  message: string;
  exception?: unknown;
  task?: Task<unknown>;
  handle?: Handle;
  loop?: EventLoop;
}
export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

/**
 * What loop.stats() reports.
 *
 * @example
 * ```ts
 * const { tasks, ready, parked, timers } = loop.stats();
 * ```
 */
export interface LoopStats {
  /** Tasks alive (not finished). */
  tasks: number;
  /** Tasks ready or running. */
  ready: number;
  /** Tasks parked: sleeping or waiting on something. */
  parked: number;
  /** Parked tasks that are sleeping. */
  sleeping: number;
  /** Parked tasks that are not sleeping, counted by what they wait on ("Queue.get": 2). */
  waitingOn: Record<string, number>;
  /** Task ids the core holds (its own counter; callbacks take no id). */
  coreIds: number;
  /** Timers armed in the core (sleeps and callLater/callAt callbacks). */
  timers: number;
  /** Ticks run so far. */
  ticks: number;
  /** Task steps and callbacks run so far (the core's switch count). */
  steps: number;
  /** Outside waits: tasks parked on the world outside, plus holds. */
  externalWaits: number;
  /** The descriptions of the active holds (holdExternal). */
  holds: string[];
}

/**
 * Hooks into the loop's life (trio's instruments, curio's activations): for profilers,
 * tracers and tests. Every hook is optional.
 *
 * @example
 * ```ts
 * loop.addInstrument({ taskExited: (t) => console.log(`${t.name} finished`) });
 * ```
 */
export interface Instrument {
  taskCreated?(task: Task<unknown>): void;
  /** A task was readied (woken, or gave the turn). */
  taskScheduled?(task: Task<unknown>): void;
  beforeTaskStep?(task: Task<unknown>): void;
  afterTaskStep?(task: Task<unknown>): void;
  taskExited?(task: Task<unknown>): void;
  beforeTick?(): void;
  afterTick?(): void;
}

/**
 * An outside event source registered with loop.holdExternal(): counted as an outside wait
 * until released.
 *
 * @example
 * ```ts
 * const hold = loop.holdExternal("child process 1234");
 * child.on("exit", () => hold.release());
 * ```
 */
export class ExternalHold {
  private live = true;
  /** @internal */
  constructor(
    private readonly loop: EventLoop,
    /** What the source is, for stats() and deadlock reports. */
    readonly description: string,
  ) {}
  /** True until released. */
  get active(): boolean {
    return this.live;
  }
  /** Stops counting the source as an outside wait. Idempotent. */
  release(): void {
    if (!this.live) return;
    this.live = false;
    this.loop._releaseHold(this);
  }
  [Symbol.dispose](): void {
    this.release();
  }
}

/** Options of newEventLoop / run. */
export interface LoopOptions {
  /** The scheduler core: "wasm" (default) or its TypeScript twin "ts". */
  core?: CoreKind;
  /** "real" (default): performance.now(). "virtual": time jumps when the loop is idle. */
  clock?: "real" | "virtual";
}

/** Anything createTask/run accept: a generator function or object, an operation, an async
 * function or a Promise. */
export type CoroutineLike<T> =
  | Coroutine<T>
  | { [Symbol.iterator](): Coroutine<T> }
  | PromiseLike<T>
  | (() => Coroutine<T> | PromiseLike<T> | T);

const loopsAwaiting = new Set<EventLoop>();
let beforeExitHooked = false;

/**
 * Reset wasm cores waiting for their next loop. Instantiating a WebAssembly core costs
 * ~100-140 µs (run() on the TS core took a fifth of run() on wasm); a reset one costs
 * nothing, and reset() makes every id the old loop held stale, so nothing it still holds
 * can touch the new loop's tasks. Few, and only small ones: a core that grew to hold a
 * million tasks keeps that memory while pooled.
 */
const corePool: Core[] = [];
/** Pooled cores at most: enough for run() after run(), and for a few loops side by side. */
const CORE_POOL_SIZE = 4;
/** Largest wasm memory a pooled core may keep (bytes): 8 MiB, ~100k tasks' worth. */
const CORE_POOL_MAX_BYTES = 8 << 20;

function takeCore(kind: CoreKind): Core {
  if (kind === "wasm") {
    const pooled = corePool.pop();
    if (pooled !== undefined) return pooled;
  }
  return createCore(kind);
}

function giveBackCore(core: Core): void {
  if (!(core instanceof WasmCore) || corePool.length >= CORE_POOL_SIZE) return;
  if (core.exports.memory.buffer.byteLength > CORE_POOL_MAX_BYTES) return;
  core.reset();
  corePool.push(core);
}

/**
 * An event loop (asyncio's loop), on a WebAssembly scheduler core (or its TS twin).
 *
 * @example
 * ```ts
 * const loop = newEventLoop({ clock: "virtual" });
 * loop.callLater(1000, () => console.log("a second later (virtually)"));
 * await loop.runUntilComplete(sleep(2000));
 * loop.close();
 * ```
 */
export class EventLoop {
  /** The scheduler core. Read-only from outside: the loop keeps counters in step with it. */
  readonly core: Core;
  private readonly clock: Clock;
  /** The Task that owns the id in each core slot. */
  private readonly slots: Array<Task<unknown> | undefined> = [];
  /** Callback handles by token (-2 - index): they take no task slot in the core. */
  private readonly handles: Array<Handle | undefined> = [];
  private readonly freeTokens: number[] = [];
  /** Ids readied during this tick, handed to the core in phase 3. */
  private pending = new Int32Array(BATCH_CAPACITY);
  private pendingLen = 0;
  /** A JS copy of the OUT buffer: running tasks may grow wasm memory and detach views. */
  private batch = new Int32Array(BATCH_CAPACITY);
  /** The entries of `batch` still to run in this tick: [batchPos, batchLen). */
  private batchPos = 0;
  private batchLen = 0;
  /** Entries in the core's ready queue (kept in step: no crossing to ask). */
  private queued = 0;
  /** Lower bound of the core's earliest deadline; Infinity when no timer is armed. */
  private earliest = Infinity;
  /** The directed hand-off slot: an id to run right after the current step, or -1. */
  private nextId = -1;
  /** Entries of the tick in progress still to run: a tick may span several drives. */
  private budget = 0;
  /** Steps between two looks at the clock (adapts to the cost of a step), and since the last. */
  private readEvery = BATCH_CAPACITY;
  private sinceRead = 0;
  private lastRead = 0;
  private inDrive = false;
  /** A drive is due: in a microtask (a wake from outside) or a macrotask (slice over). */
  private driveScheduled = false;
  private nodeTimer: ReturnType<typeof setTimeout> | null = null;
  private nodeTimerAt = Infinity;
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  private ticks = 0;
  private running = false;
  private stopping = false;
  private closed = false;
  /** The internal fault that broke this loop; it refuses further work. */
  private broken: InternalError | null = null;
  private forever = false;
  private target: Task<unknown> | null = null;
  private onStopped: (() => void) | null = null;
  private handler: ExceptionHandler | null = null;
  /** Failed tasks nobody has looked at yet: reported when collected, or at close(). */
  private readonly failedUnretrieved = new Set<WeakRef<Task<unknown>>>();
  /** Task steps and callbacks run so far: tells the virtual clock whether the loop was quiet. */
  private steps = 0;
  private quietTimer: ReturnType<typeof setTimeout> | null = null;
  private quietSteps = -1;
  /** The deadlock watchdog (Bun, Deno): an unref'd interval, while idle with no timer. */
  private watchdog: ReturnType<typeof setInterval> | null = null;
  /** What the watchdog compares against: steps when the loop last went idle, a fresh probe. */
  private watchSteps = -1;
  private watchIdle: (() => boolean) | null = null;
  /** @internal the task whose step is on the stack */
  _current: Task<unknown> | null = null;
  /** @internal Suspensions waiting on the world outside (Promises, I/O), plus holds. */
  _externalWaits = 0;
  /** Outside event sources registered with holdExternal(). */
  private readonly holds = new Set<ExternalHold>();
  private readonly closeHooks: Array<() => void | PromiseLike<void>> = [];
  private closing: Promise<void> | null = null;
  /** Instruments (hooks for profilers and tests); null while there are none. */
  private instruments: Instrument[] | null = null;

  constructor(options: LoopOptions = {}) {
    const core = options.core ?? "wasm";
    if (core !== "wasm" && core !== "ts")
      throw new TypeError(`spindle: core must be "wasm" or "ts", not ${describe(core)}`);
    const clock = options.clock ?? "real";
    if (clock !== "real" && clock !== "virtual")
      throw new TypeError(`spindle: clock must be "real" or "virtual", not ${describe(clock)}`);
    this.core = takeCore(core);
    this.clock = clock === "virtual" ? new VirtualClock() : new RealClock();
  }

  // ── time and callbacks ────────────────────────────────────────────────────────────

  /** The loop's clock, in ms (performance.now() or virtual time). */
  time(): number {
    return this.clock.now();
  }

  /** True for a loop on the virtual clock. */
  get virtual(): boolean {
    return this.clock.virtual;
  }

  /**
   * Runs `callback(...args)` on the next tick, after what is already scheduled (FIFO).
   *
   * @example
   * ```ts
   * loop.callSoon((who) => console.log(`hello ${who}`), "world");
   * ```
   */
  callSoon<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Handle {
    this.checkCallback(callback, "callSoon");
    const token = this.takeToken();
    const h = new Handle(this, token, callback as unknown as (...a: never[]) => void, args);
    this.handles[-2 - token] = h;
    this._schedule(token);
    return h;
  }

  /**
   * Runs `callback(...args)` after `delay` ms. Timers fire in (deadline, order armed) order.
   *
   * @example
   * ```ts
   * const h = loop.callLater(50, () => console.log("50 ms later"));
   * ```
   */
  callLater<A extends unknown[]>(
    delay: number,
    callback: (...args: A) => void,
    ...args: A
  ): TimerHandle {
    checkDelay(delay, "callLater");
    return this.callAt(this.clock.now() + delay, callback, ...args);
  }

  /** Runs `callback(...args)` at loop time `when` (ms, as loop.time()). */
  callAt<A extends unknown[]>(
    when: number,
    callback: (...args: A) => void,
    ...args: A
  ): TimerHandle {
    checkDelay(when, "callAt");
    this.checkCallback(callback, "callAt");
    const token = this.takeToken();
    const cb = callback as unknown as (...a: never[]) => void;
    const h = new TimerHandle(this, token, cb, args, when);
    this.handles[-2 - token] = h;
    // A deadline at or past MAX_DEADLINE (callLater(Infinity)) never comes: no timer.
    if (when < MAX_DEADLINE) h.timer = this.armTimer(token, when);
    return h;
  }

  // ── tasks ─────────────────────────────────────────────────────────────────────────

  /**
   * Schedules a coroutine as a Task. Accepts a generator (function), an operation, an async
   * function or a Promise.
   *
   * @example
   * ```ts
   * const t = loop.createTask(function* () { yield* sleep(5); return "done"; });
   * ```
   */
  createTask<T>(coro: CoroutineLike<T>, options?: TaskOptions): Task<T> {
    this.checkOpen();
    const c = toCoroutine(coro, this);
    const id = this.spawnId();
    const task = new Task<T>(this, id, c, options?.name, options?.signal);
    this.slots[id & SLOT_MASK] = task as Task<unknown>;
    if (this.instruments !== null) this.instrument("taskCreated", task as Task<unknown>);
    if (task.state === DONE) return task; // signal was already aborted
    this._schedule(id);
    return task;
  }

  /** Tasks of this loop that have not finished, in the order they were created. */
  allTasks(): Set<Task<unknown>> {
    const tasks: Task<unknown>[] = [];
    for (const r of this.slots) if (r instanceof Task && r.state !== DONE) tasks.push(r);
    // Slot order depends on which slots were free; creation order does not.
    tasks.sort((a, b) => a._serial - b._serial);
    return new Set(tasks);
  }

  /** The task whose code is running, or null. */
  currentTask(): Task<unknown> | null {
    return this._current;
  }

  // ── running ───────────────────────────────────────────────────────────────────────

  /**
   * Runs the loop until `op` completes; resolves with its result or rejects with its error.
   * `op` may be a Task, a coroutine, an operation, an async function or a Promise.
   *
   * @example
   * ```ts
   * const loop = getEventLoop();
   * const n = await loop.runUntilComplete(function* () { yield* sleep(10); return 1; });
   * ```
   */
  runUntilComplete<T>(op: Task<T> | CoroutineLike<T>): Promise<T> {
    this.checkOpen();
    this.checkNotRunning();
    const task = op instanceof Task ? op : this.createTask(op);
    if (task.loop !== this) throw new TypeError("spindle: that task belongs to another loop");
    return new Promise<T>((resolve, reject) => {
      // As asyncio's _run_until_complete_cb: a done callback, so the loop stops after the
      // tick that runs it — the callbacks the task scheduled just before it returned run.
      const onDone = (): void => this.stop();
      const settle = (): void => {
        loopsAwaiting.delete(this);
        task.removeDoneCallback(onDone);
        if (this.broken !== null) {
          reject(this.broken);
          return;
        }
        if (!task.done()) {
          reject(
            new InvalidStateError("spindle: the event loop stopped before the task completed"),
          );
          return;
        }
        try {
          resolve(task.result());
        } catch (e) {
          reject(e);
        }
      };
      if (task.done()) {
        settle();
        return;
      }
      task.addDoneCallback(onDone);
      this.target = task as Task<unknown>;
      loopsAwaiting.add(this);
      hookBeforeExit();
      this.start(false, settle);
    });
  }

  /**
   * Runs the loop until stop() is called; keeps the process alive meanwhile. If stop() was
   * called before, runs one tick and returns (as asyncio).
   *
   * @example
   * ```ts
   * loop.callLater(100, () => loop.stop());
   * await loop.runForever();
   * ```
   */
  runForever(): Promise<void> {
    this.checkOpen();
    this.checkNotRunning();
    return new Promise<void>((resolve, reject) => {
      this.keepAlive = setInterval(() => {}, 1 << 30);
      this.start(true, () => (this.broken !== null ? reject(this.broken) : resolve()));
    });
  }

  /**
   * Stops the loop after the tick in progress (runForever/runUntilComplete return). Called
   * while the loop is not running, the next runForever() runs one tick and returns.
   *
   * @example
   * ```ts
   * loop.callSoon(() => loop.stop());
   * await loop.runForever(); // returns after that tick
   * ```
   */
  stop(): void {
    this.stopping = true;
    if (this.running && !this.inDrive) this.kick();
  }

  /**
   * The internal fault that broke this loop (an InternalError, "this is a bug in
   * spindle"), or null. A broken loop refuses further work.
   *
   * @example
   * ```ts
   * if (loop.failure !== null) reportBug(loop.failure);
   * ```
   */
  get failure(): InternalError | null {
    return this.broken;
  }

  /**
   * True while runForever() or runUntilComplete() is running the loop.
   *
   * @example
   * ```ts
   * loop.isRunning(); // false out here
   * ```
   */
  isRunning(): boolean {
    return this.running;
  }

  /**
   * True once close() was called.
   *
   * @example
   * ```ts
   * loop.close();
   * loop.isClosed(); // true
   * ```
   */
  isClosed(): boolean {
    return this.closed;
  }

  /**
   * Closes the loop: it can no longer run or schedule, and whatever of it is still held —
   * tasks, handles, wakers — becomes inert (cancel() returns false, a waker does nothing).
   * Reports failed tasks whose exception nobody retrieved, then runs the close hooks
   * (onClose), newest first. Pending tasks are dropped (run() cancels them first). The
   * loop's core may be reset and handed to a new loop. Returns a Promise that settles once
   * the close hooks have (it never rejects: their errors go to the exception handler).
   *
   * @example
   * ```ts
   * await loop.close(); // e.g. worker threads of its executor have ended
   * ```
   */
  close(): Promise<void> {
    if (this.running) throw new InvalidStateError("spindle: cannot close a running event loop");
    if (this.closing !== null) return this.closing;
    this.closed = true;
    for (const ref of this.failedUnretrieved) {
      const t = ref.deref();
      if (t === undefined) continue;
      unretrievedRegistry.unregister(t);
      this.reportUnretrieved(t);
    }
    this.failedUnretrieved.clear();
    this.clearNodeTimer();
    // A broken core's state is not to be trusted: it is not pooled.
    if (this.broken === null) giveBackCore(this.core);
    const waits: Array<PromiseLike<void>> = [];
    for (const hook of this.closeHooks.splice(0).reverse()) {
      try {
        const r = hook();
        if (isThenable(r)) waits.push(r);
      } catch (exception) {
        this.callExceptionHandler({ message: "Exception in a close hook", exception });
      }
    }
    this.closing = Promise.allSettled(waits).then((results) => {
      for (const r of results)
        if (r.status === "rejected")
          this.callExceptionHandler({ message: "A close hook failed", exception: r.reason });
    });
    return this.closing;
  }

  /**
   * Registers `hook` to run when the loop closes (newest first): what an executor, a pool
   * or a server does to release what it holds for the loop. `hook` may return a Promise;
   * close() (and so run()) waits for it. Returns a function that unregisters it.
   *
   * @example
   * ```ts
   * const pool = createPool();
   * loop.onClose(() => pool.destroy());
   * ```
   */
  onClose(hook: () => void | PromiseLike<void>): () => void {
    if (typeof hook !== "function")
      throw new TypeError(`spindle: onClose needs a function, got ${describe(hook)}`);
    this.checkOpen();
    this.closeHooks.push(hook);
    return () => {
      const i = this.closeHooks.indexOf(hook);
      if (i >= 0) this.closeHooks.splice(i, 1);
    };
  }

  /**
   * Registers an event source outside the loop — a listening server, a socket, a child
   * process, a worker — that may still wake tasks: while the hold is active, the loop
   * counts it as an outside wait, so the virtual clock lets its events land before jumping
   * and deadlock detection stays quiet. Release it when the source can no longer wake
   * anyone (closed, ended). `description` appears in stats() and deadlock reports.
   *
   * @example
   * ```ts
   * const hold = loop.holdExternal(`tcp server ${host}:${port}`);
   * server.on("close", () => hold.release());
   * ```
   */
  holdExternal(description: string): ExternalHold {
    this.checkOpen();
    const hold = new ExternalHold(this, String(description));
    this.holds.add(hold);
    this._externalWaits++;
    return hold;
  }

  /** @internal */
  _releaseHold(hold: ExternalHold): void {
    if (!this.holds.delete(hold)) return;
    this._externalWaits--;
    // Nothing outside may be left to wake anyone: let a drive look (deadlock, time jump).
    if (this.running && !this.inDrive) this.kick();
  }

  /**
   * Counters for profilers, tests and the bench: tasks alive, ready, parked (by what they
   * wait on), timers armed, ticks and task steps so far, and the outside sources held.
   *
   * @example
   * ```ts
   * const { tasks, parked, waitingOn } = loop.stats();
   * console.log(tasks, parked, waitingOn); // 3 2 { "Queue.get": 2 }
   * ```
   */
  stats(): LoopStats {
    let tasks = 0;
    let ready = 0;
    let parked = 0;
    let sleeping = 0;
    const waitingOn: Record<string, number> = {};
    for (const r of this.slots) {
      if (!(r instanceof Task) || r.state === DONE) continue;
      tasks++;
      if (r.state === PARKED) {
        parked++;
        if (r.parkedOn instanceof TaskWaker) {
          const what = r.parkedOn.instr.describe();
          waitingOn[what] = (waitingOn[what] ?? 0) + 1;
        } else sleeping++;
      } else ready++;
    }
    return {
      tasks,
      ready,
      parked,
      sleeping,
      waitingOn,
      coreIds: this.core.taskCount(),
      timers: this.core.timerCount(),
      ticks: this.ticks,
      steps: this.steps,
      externalWaits: this._externalWaits,
      holds: [...this.holds].map((h) => h.description),
    };
  }

  /**
   * Adds instrument hooks (trio's instruments): called as tasks are created, scheduled,
   * stepped and finished, and around each tick. An instrument that throws is reported
   * and removed. Costs one check per event while none is installed. Returns a function
   * that removes it.
   *
   * @example
   * ```ts
   * const steps = new Map<string, number>();
   * loop.addInstrument({
   *   beforeTaskStep: (t) => steps.set(t.name, (steps.get(t.name) ?? 0) + 1),
   * });
   * ```
   */
  addInstrument(instrument: Instrument): () => void {
    if (typeof instrument !== "object" || instrument === null)
      throw new TypeError(`spindle: addInstrument needs an object, got ${describe(instrument)}`);
    this.instruments = [...(this.instruments ?? []), instrument];
    return () => this.removeInstrument(instrument);
  }

  private removeInstrument(instrument: Instrument): void {
    if (this.instruments === null) return;
    const rest = this.instruments.filter((i) => i !== instrument);
    this.instruments = rest.length === 0 ? null : rest;
  }

  private instrument(hook: keyof Instrument, task?: Task<unknown>): void {
    for (const i of this.instruments ?? []) {
      const fn = i[hook] as ((t?: Task<unknown>) => void) | undefined;
      if (fn === undefined) continue;
      try {
        fn.call(i, task);
      } catch (exception) {
        this.removeInstrument(i);
        this.callExceptionHandler({
          message: `Instrument ${hook} raised an exception; it was removed`,
          exception,
        });
      }
    }
  }

  // ── exceptions ────────────────────────────────────────────────────────────────────

  /** Sets the handler for errors nobody else can receive (null: the default). */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== "function")
      throw new TypeError(`spindle: exception handler must be a function or null`);
    this.handler = handler;
  }

  getExceptionHandler(): ExceptionHandler | null {
    return this.handler;
  }

  /** Reports an error through the handler (or the default report on stderr). */
  callExceptionHandler(context: ExceptionContext): void {
    const ctx = { ...context, loop: this };
    if (this.handler === null) {
      this.defaultExceptionHandler(ctx);
      return;
    }
    try {
      this.handler(this, ctx);
    } catch (e) {
      this.defaultExceptionHandler({
        message: "Unhandled error in exception handler",
        exception: e,
        loop: this,
      });
      this.defaultExceptionHandler(ctx);
    }
  }

  /** Prints the context to stderr, as asyncio's default handler. */
  defaultExceptionHandler(context: ExceptionContext): void {
    const parts = [`spindle: ${context.message}`];
    if (context.task) parts.push(`task: ${context.task.name}`);
    const e = context.exception;
    if (e !== undefined) parts.push(e instanceof Error && e.stack ? e.stack : String(e));
    console.error(parts.join("\n"));
  }

  // ── kernel operations (internal: used by Task, Handle and the operations) ─────────

  /** @internal Readies a core id: it runs in the next tick, in wake order. */
  _schedule(id: number): void {
    // A closed loop's tasks and handles are inert: its core may serve another loop now.
    if (this.closed) return;
    if (this.instruments !== null) this.instrumentSchedule(id);
    this.pending[this.pendingLen++] = id;
    if (this.pendingLen === BATCH_CAPACITY) this.flush();
    if (!this.inDrive) this.kick();
  }

  /**
   * @internal Readies `id` to run right after the step in progress (Waker.handOff). A
   * hand-off already in the slot is queued as an ordinary wake; so is this one outside a
   * drive (nothing is stepping).
   */
  _scheduleNext(id: number): void {
    if (this.closed) return;
    if (!this.inDrive) {
      this._schedule(id);
      return;
    }
    if (this.nextId >= 0) this._schedule(this.nextId);
    if (this.instruments !== null) this.instrumentSchedule(id);
    this.nextId = id;
  }

  /**
   * @internal Arms a core timer waking task `id` in `ms`; returns the timer handle, or -1
   * for a deadline at or past MAX_DEADLINE, which never comes.
   */
  _sleep(id: number, ms: number): number {
    const deadline = this.clock.now() + ms;
    return deadline >= MAX_DEADLINE ? -1 : this.armTimer(id, deadline);
  }

  /**
   * @internal A handle was cancelled. A timer not yet fired is disarmed (no crossing) and
   * its token freed now; otherwise the token is in the ready queue, where it is skipped
   * and freed when it comes out.
   */
  _cancelHandle(h: Handle, token: number): void {
    if (this.closed) return;
    if (h instanceof TimerHandle) {
      const timer = h.timer;
      h.timer = -1;
      if (timer < 0 || this.core.disarm(timer)) this.freeToken(token);
    }
  }

  /** A free token of the handle table (an i32 <= -2: the core carries it as is). */
  private takeToken(): number {
    const free = this.freeTokens;
    if (free.length > 0) return free.pop()!;
    const index = this.handles.length;
    if (index >= MAX_HANDLES)
      throw new RangeError("spindle: more than 1,073,741,824 pending callbacks");
    this.handles.push(undefined);
    return -2 - index;
  }

  private freeToken(token: number): void {
    this.handles[-2 - token] = undefined;
    this.freeTokens.push(token);
  }

  /** A token came out of the ready queue: free it, and run its handle unless cancelled. */
  private runToken(token: number): void {
    const h = this.handles[-2 - token];
    this.freeToken(token);
    if (h !== undefined) {
      if (h instanceof TimerHandle) h.timer = -1;
      h._run();
    }
  }

  /** @internal A task finished: free its id. */
  _taskDone(task: Task<unknown>): void {
    this.releaseId(task.id);
    task.id = -1;
    if (this.instruments !== null) this.instrument("taskExited", task);
  }

  private instrumentSchedule(id: number): void {
    const r = this.slots[id & SLOT_MASK];
    if (r instanceof Task && r.id === id) this.instrument("taskScheduled", r);
  }

  /**
   * @internal A task failed and nobody has looked at its exception yet. As asyncio, it is
   * reported when the task is garbage-collected unlooked-at ("Task exception was never
   * retrieved"), or when the loop closes — not when the loop idles, which would misreport
   * `t = createTask(f()); yield* sleep(10); yield* t`.
   */
  _unretrieved(task: Task<unknown>): void {
    const ref = new WeakRef(task);
    task._unretrievedRef = ref;
    this.failedUnretrieved.add(ref);
    unretrievedRegistry.register(
      task,
      { loop: this, ref, name: task.name, exception: peekException(task) },
      task,
    );
  }

  /** @internal Its exception was retrieved after all. */
  _retrieved(task: Task<unknown>): void {
    const ref = task._unretrievedRef;
    if (ref === null) return;
    task._unretrievedRef = null;
    this.failedUnretrieved.delete(ref);
    unretrievedRegistry.unregister(task);
  }

  /** @internal A failed task was collected without anyone looking at its exception. */
  _collectedUnretrieved(ref: WeakRef<Task<unknown>>, name: string, exception: unknown): void {
    if (!this.failedUnretrieved.delete(ref)) return;
    this.callExceptionHandler({
      message: `Task exception was never retrieved (task ${name})`,
      exception,
    });
  }

  // ── the run loop ──────────────────────────────────────────────────────────────────

  private start(forever: boolean, onStopped: () => void): void {
    this.running = true;
    this.forever = forever;
    this.onStopped = onStopped;
    this.drive();
  }

  /**
   * Ensures a drive will run soon: a microtask (a wake from outside is served at once).
   * Through a resolved Promise rather than queueMicrotask, which on Node wraps every call
   * in an AsyncResource and a bound function (~120 B measured per outside wake, and one
   * outside wake is one kick): the same microtask queue, in the same order.
   */
  private kick(): void {
    if (this.driveScheduled || !this.running) return;
    this.driveScheduled = true;
    void RESOLVED.then(this.drive);
  }

  /**
   * Runs ticks until the loop is idle, stopped, or DRIVE_SLICE_MS is up — then Node gets a
   * turn (a macrotask: setImmediate in Node) and the next drive goes on where this one stopped, in the middle
   * of a tick if need be (`budget`), so a tick still runs exactly what was ready when it
   * began. Anything that escapes a tick is a fault in the kernel: the loop is broken.
   */
  private readonly drive = (): void => {
    this.driveScheduled = false;
    if (!this.running || this.inDrive) return;
    this.inDrive = true;
    const outer = running.loop;
    running.loop = this;
    let again = false;
    try {
      again = this.runSlice();
    } catch (fault) {
      this.fail(fault);
    } finally {
      running.loop = outer;
      this.inDrive = false;
    }
    if (this.stopping || this.broken !== null) this.finishRun();
    else if (again) {
      this.driveScheduled = true;
      try {
        macrotask(this.drive);
      } catch (fault) {
        // The host refused a macrotask: the loop cannot go on; say why rather than stall.
        this.driveScheduled = false;
        this.fail(fault);
        this.finishRun();
      }
    } else if (this.pendingLen > 0 || this.queued > 0) this.kick();
  };

  /** The body of a drive; true if work is left for the next one (the slice ran out). */
  private runSlice(): boolean {
    const start = performance.now();
    const sliceEnd = start + DRIVE_SLICE_MS;
    this.lastRead = start;
    this.sinceRead = 0;
    for (;;) {
      if (!this.ticking) this.beginTick();
      if (!this.runBudget(sliceEnd)) return true;
      // The tick's wakes wait in `pending` for the next one, which starts with them.
      if (this.instruments !== null) this.instrument("afterTick");
      if (this.stopping) return false;
      if (this.queued > 0 || this.pendingLen > 0) continue;
      // Idle: nothing ready.
      if (this.earliest !== Infinity) {
        const next = this.core.nextDeadline();
        this.earliest = next;
        if (next !== Infinity) {
          if (this.clock.virtual) {
            if (this._externalWaits > 0 && this.quietSteps !== this.steps) {
              // Outside work (I/O, Promises) is pending: let it land before jumping
              // time past it. Jump once the loop stayed quiet for QUIET_MS of real time.
              this.armQuietTimer();
              return false;
            }
            this.quietSteps = -1;
            this.clock.jumpTo(next);
            // A jump counts as a step toward the next look at the real clock.
            if (++this.sinceRead >= this.readEvery && this.sliceOver(sliceEnd)) return true;
            continue;
          }
          this.armNodeTimer(next);
          return false;
        }
      }
      if (this.clock.virtual && this._externalWaits === 0 && !this.forever) {
        this.deadlock();
        if (this.queued > 0 || this.pendingLen > 0) continue;
      }
      if (hostIdleProbe !== null && !this.forever && this.target !== null) this.armWatchdog();
      return false;
    }
  }

  /**
   * Starts a tick. Usually the core's ready queue is empty between ticks and no timer is
   * due: then the tick is exactly the wakes of the last one, in order, and they run from
   * JS without a crossing (the two buffers swap). Otherwise the wakes go to the core first
   * (asyncio: ready callbacks before the timers that become due), then the due timers
   * (phase 1: core.advance moves every due id into the ready queue in one crossing), and
   * the tick's budget is what the core has queued.
   */
  private beginTick(): void {
    this.ticks++;
    let due = false;
    if (this.earliest !== Infinity) due = this.clock.now() >= this.earliest;
    if (this.queued === 0 && !due) {
      const next = this.pending;
      this.pending = this.batch;
      this.batch = next;
      this.batchPos = 0;
      this.batchLen = this.pendingLen;
      this.pendingLen = 0;
    } else {
      this.flush();
      if (due) {
        this.queued += this.core.advance(this.clock.now());
        this.earliest = this.core.nextDeadline();
      }
      this.budget = this.queued;
    }
    if (this.instruments !== null) this.instrument("beforeTick");
  }

  /** True while the tick in progress has entries left to run. */
  private get ticking(): boolean {
    return this.batchPos < this.batchLen || this.budget > 0;
  }

  /**
   * Phase 2: runs the tick — the entries already in `batch`, then what is left of its budget
   * in the core, drained in batches — looking at the clock every `readEvery` steps; false
   * if the slice ran out first (the rest waits for the next drive).
   */
  private runBudget(sliceEnd: number): boolean {
    for (;;) {
      if (this.batchPos === this.batchLen) {
        if (this.budget === 0) return true;
        this.drainBatch();
        continue;
      }
      const batch = this.batch;
      const slots = this.slots;
      const instrumented = this.instruments !== null;
      while (this.batchPos < this.batchLen) {
        const id = batch[this.batchPos++]!;
        if (id < 0) {
          // A callback handle's token.
          this.steps++;
          this.runToken(id);
          if (this.nextId >= 0) this.runHandOffs();
        } else {
          const r = slots[id & SLOT_MASK];
          // A task released meanwhile (its slot may hold a new one): the generation tells.
          if (r !== undefined && r.id === id) {
            this.steps++;
            if (instrumented) this.stepInstrumented(r);
            else r._run();
            if (this.nextId >= 0) this.runHandOffs();
          }
        }
        // A look at the clock every so many entries (counted across ticks).
        if (++this.sinceRead >= this.readEvery && this.sliceOver(sliceEnd) && this.ticking)
          return false;
      }
    }
  }

  /** Moves up to BATCH_CAPACITY entries of the tick's budget from the core into `batch`. */
  private drainBatch(): void {
    const max = this.budget < BATCH_CAPACITY ? this.budget : BATCH_CAPACITY;
    const n = this.core.drain(max);
    this.budget -= max;
    this.queued -= max;
    const out = this.core.batchOut();
    const batch = this.batch;
    for (let i = 0; i < n; i++) batch[i] = out[i]!;
    this.batchPos = 0;
    this.batchLen = n;
  }

  /**
   * Reads the clock (due every `readEvery` steps) and sizes the next interval so it takes
   * about BATCH_TARGET_MS at the cost per step just seen. True if the slice is over.
   */
  private sliceOver(sliceEnd: number): boolean {
    const now = performance.now();
    const ms = now - this.lastRead;
    const steps = this.sinceRead;
    this.lastRead = now;
    this.sinceRead = 0;
    const every = ms <= 0 ? BATCH_CAPACITY : Math.floor((BATCH_TARGET_MS * steps) / ms);
    this.readEvery =
      every < MIN_BATCH ? MIN_BATCH : every > BATCH_CAPACITY ? BATCH_CAPACITY : every;
    return now > sliceEnd;
  }

  /**
   * Runs the tasks handed off to (Waker.handOff), each right after the step that handed
   * off, up to MAX_HANDOFF_CHAIN in a row; past that the next one waits in the queue.
   */
  private runHandOffs(): void {
    const slots = this.slots;
    for (let chain = 0; this.nextId >= 0; chain++) {
      const id = this.nextId;
      this.nextId = -1;
      if (chain === MAX_HANDOFF_CHAIN) {
        this._schedule(id);
        return;
      }
      const r = slots[id & SLOT_MASK];
      if (r === undefined || r.id !== id) continue;
      this.steps++;
      if (this.instruments !== null) this.stepInstrumented(r);
      else r._run();
    }
  }

  private stepInstrumented(task: Task<unknown>): void {
    this.instrument("beforeTaskStep", task);
    task._run();
    this.instrument("afterTaskStep", task);
  }

  private flush(): void {
    const n = this.pendingLen;
    if (n === 0) return;
    const view = this.core.batchIn();
    const pending = this.pending;
    for (let i = 0; i < n; i++) view[i] = pending[i]!;
    this.pendingLen = 0;
    this.queued += this.core.readyBatch(n);
  }

  /**
   * A fault escaped the kernel's own code: the loop's state can no longer be trusted. It
   * stops, the run in progress rejects with an InternalError (the fault as its cause), and
   * the loop refuses further work (trio's TrioInternalError, curio's crash rule).
   */
  private fail(fault: unknown): void {
    const what = fault instanceof Error ? `${fault.name}: ${fault.message}` : describe(fault);
    this.broken = new InternalError(`the event loop failed: ${what}`, { cause: fault });
  }

  private finishRun(): void {
    this.stopping = false;
    this.running = false;
    this.target = null;
    this.clearNodeTimer();
    this.clearWatchdog();
    if (this.keepAlive !== null) {
      clearInterval(this.keepAlive);
      this.keepAlive = null;
    }
    const cb = this.onStopped;
    this.onStopped = null;
    cb?.();
  }

  /**
   * @internal Throws DeadlockError into the task runUntilComplete waits for; also called at
   * process 'beforeExit'. Its wait is undone, not forwarded (an awaited task is left
   * alone: run() cancels the rest on its way out).
   */
  deadlock(): void {
    const target = this.target;
    if (target === null || target.state !== PARKED) return;
    const blocked = [...this.allTasks()].map((t) => `${t.name} (${t.waitingOn ?? "ready"})`);
    target.interrupt(
      new DeadlockError(
        `spindle: this operation would block forever: every task is waiting and nothing ` +
          `(no timer, no I/O, no pending Promise) can wake one. Blocked: ${blocked.join(", ")}`,
      ),
    );
  }

  /** Arms a core timer for a task id or a handle's token. */
  private armTimer(target: number, deadline: number): number {
    const h = this.core.arm(target, deadline);
    if (h < 0) throw new InternalError(`core.arm(${target}, ${deadline}) returned ${h}`);
    if (deadline < this.earliest) this.earliest = deadline;
    if (!this.inDrive && this.running) this.kick();
    return h;
  }

  private armNodeTimer(deadline: number): void {
    if (this.nodeTimer !== null && this.nodeTimerAt === deadline) return;
    this.clearNodeTimer();
    const delay = Math.max(0, Math.ceil(deadline - this.clock.now()));
    this.nodeTimerAt = deadline;
    // Node clamps delays above 2^31-1 ms to 1 ms; a far deadline re-arms on the way.
    this.nodeTimer = setTimeout(this.onNodeTimer, Math.min(delay, 0x7fffffff));
  }

  private readonly onNodeTimer = (): void => {
    this.nodeTimer = null;
    this.nodeTimerAt = Infinity;
    this.drive();
  };

  private clearNodeTimer(): void {
    if (this.nodeTimer !== null) {
      clearTimeout(this.nodeTimer);
      this.nodeTimer = null;
      this.nodeTimerAt = Infinity;
    }
    if (this.quietTimer !== null) {
      clearTimeout(this.quietTimer);
      this.quietTimer = null;
    }
  }

  /**
   * Bun, Deno: watches the idle loop for the host running out of things that could wake a
   * task, where 'beforeExit' may never come. Stops as soon as the loop runs anything or arms
   * a timer (the next idle moment arms it again); unref'd, so it keeps no process alive.
   */
  private armWatchdog(): void {
    if (hostIdleProbe === null) return;
    this.watchSteps = this.steps;
    this.watchIdle = hostIdleProbe();
    if (this.watchdog !== null) return;
    const watchdog = setInterval(this.onWatchdog, WATCHDOG_MS);
    (watchdog as { unref?: () => void }).unref?.();
    this.watchdog = watchdog;
  }

  private readonly onWatchdog = (): void => {
    const quiet =
      this.running &&
      this.target !== null &&
      this.steps === this.watchSteps &&
      this.earliest === Infinity &&
      this.queued === 0 &&
      this.pendingLen === 0;
    if (quiet && !this.watchIdle!()) return;
    this.clearWatchdog();
    if (quiet) this.deadlock();
  };

  private clearWatchdog(): void {
    if (this.watchdog === null) return;
    clearInterval(this.watchdog);
    this.watchdog = null;
  }

  /** Virtual clock with outside work pending: look again after QUIET_MS of real time. */
  private armQuietTimer(): void {
    this.quietSteps = this.steps;
    if (this.quietTimer !== null) return;
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      this.drive();
    }, QUIET_MS);
  }

  private spawnId(): number {
    const id = this.core.spawn();
    if (id < 0) throw new RangeError("spindle: more than 4,194,304 live tasks");
    return id;
  }

  private releaseId(id: number): void {
    this.slots[id & SLOT_MASK] = undefined;
    this.core.release(id);
  }

  private reportUnretrieved(task: Task<unknown>): void {
    let exception: unknown;
    try {
      exception = task.exception();
    } catch (e) {
      exception = e;
    }
    this.callExceptionHandler({ message: "Task exception was never retrieved", exception, task });
  }

  private checkOpen(): void {
    if (this.broken !== null)
      throw new InvalidStateError(
        "spindle: this event loop failed with an internal error and refuses further work " +
          `(${this.broken.message})`,
        { cause: this.broken },
      );
    if (this.closed) throw new InvalidStateError("spindle: the event loop is closed");
  }

  private checkNotRunning(): void {
    if (this.running) throw new InvalidStateError("spindle: this event loop is already running");
  }

  private checkCallback(cb: unknown, what: string): void {
    this.checkOpen();
    if (typeof cb !== "function")
      throw new TypeError(`spindle: ${what} needs a function, got ${describe(cb)}`);
  }
}

function checkDelay(ms: unknown, what: string): void {
  if (typeof ms !== "number" || Number.isNaN(ms))
    throw new TypeError(`spindle: ${what} needs a number of ms, got ${describe(ms)}`);
}

function hookBeforeExit(): void {
  if (beforeExitHooked) return;
  beforeExitHooked = true;
  onHostIdle(() => {
    // The host has nothing left to run: any loop still waiting for a task is deadlocked.
    for (const loop of loopsAwaiting) loop.deadlock();
  });
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as unknown;

/** @internal Normalises what createTask accepts into a coroutine (started lazily, in the task). */
export function toCoroutine<T>(coro: CoroutineLike<T>, loop: EventLoop): Coroutine<T> {
  if (typeof coro === "function") {
    if (coro instanceof (GeneratorFunction as typeof Function))
      return (coro as () => Coroutine<T>)();
    return callLaterCoroutine(coro as () => unknown, loop) as Coroutine<T>;
  }
  if (isCoroutine(coro)) return coro as Coroutine<T>;
  if (isOperation(coro)) return (coro as { [Symbol.iterator](): Coroutine<T> })[Symbol.iterator]();
  if (isThenable(coro)) return awaitThenable(coro) as Coroutine<T>;
  throw new TypeError(
    `spindle: expected a coroutine (a generator or generator function), an async function ` +
      `or a Promise, got ${describe(coro)}`,
  );
}

/** @internal Calls a plain or async function when the task first runs, in the task's context. */
export function* callLaterCoroutine(
  fn: () => unknown,
  loop: EventLoop,
): Generator<Instruction | undefined> {
  const task = loop._current!;
  const r = asyncContext.run({ loop, task }, fn);
  if (isCoroutine(r)) return yield* iterable(r);
  if (isThenable(r)) return yield* awaitThenable(r);
  return r;
}

/**
 * Anything createTask accepts, as an operation to `yield*` inside the current task: a
 * generator function is called, a generator or operation is run as is, an async function
 * or a Promise is awaited (with the task as currentTask() in the async function). What
 * timeout(), lock.with() and taskGroup() use to run their body inline.
 *
 * @example
 * ```ts
 * function* withRetry<T>(body: CoroutineLike<T>) {
 *   for (;;) {
 *     try { return yield* asOperation(body); } catch { yield* sleep(100); }
 *   }
 * }
 * ```
 */
export function asOperation<T>(body: CoroutineLike<T>): Operation<T> {
  if (typeof body === "object" && body !== null && Symbol.iterator in body)
    return body as Operation<T>; // a generator or an operation: yield* it directly
  const loop = running.loop;
  if (loop === null || loop._current === null)
    throw new InvalidStateError(
      "spindle: asOperation() runs its body inside the current task: call it from a coroutine",
    );
  return iterable(toCoroutine(body, loop));
}

/** @internal Makes an iterator yield*-able. */
export function iterable<Y, R>(it: Iterator<Y, R, unknown>): Iterable<Y, R, unknown> {
  return new IterableOf(it);
}

/**
 * An iterator as an iterable. A class, not `{ [Symbol.iterator]: () => it }`: V8 builds an
 * object literal with a computed key in the runtime, a few hundred ns each — measured as a
 * quarter of the time of a `timeout` scope around a generator function.
 */
class IterableOf<Y, R> implements Iterable<Y, R, unknown> {
  constructor(private readonly it: Iterator<Y, R, unknown>) {}
  [Symbol.iterator](): Iterator<Y, R, unknown> {
    return this.it;
  }
}

const PROMISE_WAIT = { describe: "a Promise" } as const;

function* awaitThenable(p: PromiseLike<unknown>): Generator<Instruction | undefined> {
  return yield* suspend<unknown>((waker) => {
    p.then(
      (v) => void waker.resume(v),
      (e) => void waker.fail(e),
    );
  }, PROMISE_WAIT);
}
