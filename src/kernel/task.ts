// Task: a coroutine scheduled on a loop (asyncio.Task).
//
// State machine (one field, `state`):
//
//   READY ──run──▶ RUNNING ──bare yield──▶ READY
//     ▲               │ yield Sleep / Suspend
//     │ wake          ▼
//     └────────── PARKED          RUNNING ──return/throw──▶ DONE
//
// Invariants:
//  - READY  ⇔ the task's id is in the core ready queue or in the loop's pending wakes.
//  - PARKED ⇔ `parkedOn` is the Sleep it sleeps in (its `timer` the core's handle, -1 for
//    a sleep that never ends) or the one live TaskWaker of the Suspend it waits on (which
//    holds the suspension's undo). A waker is live while the task is parked on it.
//  - What a resume sends is (`sendThrow`, `value`); `mustCancel` (and `mustThrow`, set by
//    throwInto) ask the next step or suspension point to throw instead. Once DONE, `value`
//    is the outcome (the result, or the error when FAILED).
//  - `listeners` holds the done listeners and done callbacks in registration order; they
//    are notified in that order when the task finishes.
//
// Cancellation, in one place (cancel): a PARKED task is interrupted — its timer cancelled or
// its undo run — and resumed with CancelledError; a READY or RUNNING task gets `mustCancel`
// and sees CancelledError at its next suspension point. As in asyncio, a cancel that lands
// after a waker fired but before the task ran wins over the value the waker sent: the value
// is dropped, and the primitive that offered it keeps it for the next waiter (Attempt's
// abandon()). A suspension with `forwardCancel` (awaiting a task, gather) passes the cancel
// on and stays parked until the outcome arrives.
//
// Fault containment: user code the kernel calls on a task's behalf — an undo, a
// forwardCancel, a done listener — runs under a guard; what it throws goes to the loop's
// exception handler (or, for a suspension's setup, into the task), never up the drive.
//
// Sleeps, as asyncio's: a sleep's timer only readies its task (asyncio's timer callback sets
// a future whose wake-up runs in the next iteration), so a task whose sleep fires steps in
// the tick after the timer callbacks due with it.

import { CancelledError, DeadlockError, InvalidStateError, describe } from "../errors.js";
import { Sleep, Suspend, type Coroutine, type Instruction, type Waker } from "./operation.js";
import type { EventLoop } from "./loop.js";

let taskSerial = 0;

// Task.bits: the state in the low two bits, the flags above them.
const STATE = 3;
const THROW = 4;
const MUST_THROW = 8;
const MUST_CANCEL = 16;
const EXTERNAL = 32;
const FORWARDING = 64;
const FAILED = 128;
const CANCELLED = 256;
const RETRIEVED = 512;

export const READY = 0;
export const RUNNING = 1;
export const PARKED = 2;
export const DONE = 3;

/** Options of createTask. */
export interface TaskOptions {
  /** A name for reports and debugging; default "Task-N". */
  name?: string;
  /** Cancels the task when this signal aborts. */
  signal?: AbortSignal;
}

type DoneCallback<T> = (task: Task<T>) => void;

/**
 * One registration on a task's completion: a synchronous listener (onDone), or a done
 * callback scheduled with callSoon (addDoneCallback). Both kinds share one ordered list, so
 * they are notified in the order they registered, as asyncio's callbacks are.
 */
export class DoneListener {
  constructor(
    readonly fn: (task: Task<never>) => void,
    readonly soon: boolean,
  ) {}
}

/**
 * A coroutine running on an event loop. `yield* task` waits for it from a coroutine;
 * `await task` works from async code (a Task is a thenable).
 *
 * @example
 * ```ts
 * const t = createTask(function* () { yield* sleep(10); return 42; }, { name: "answer" });
 * const v = yield* t;   // 42
 * t.done();             // true
 * ```
 */
export class Task<T = unknown> implements PromiseLike<T> {
  /** @internal core id (generation-tagged) while the task lives, -1 after. */
  id: number;
  // Eight fields (88 bytes: Node has no pointer compression): with thousands of tasks
  // alive, every scavenge copies them, so a Task's size is a cost per task (measured: 136
  // bytes with 14 fields, of ~350 per sleeping task). The state and the booleans share one
  // `bits` word; what a suspension needs lives in its waker or its Sleep; rare state lives
  // in `extra`.
  /** Process-wide creation number, as asyncio's Task-N. */
  private readonly serial: number;
  /** @internal creation order */
  get _serial(): number {
    return this.serial;
  }
  /** The state (low 2 bits: READY, RUNNING, PARKED, DONE) and the flag bits above them. */
  private bits = READY;
  /** @internal what the next step sends in (thrown if THROW); the outcome once DONE */
  value: unknown = undefined;
  /** @internal the Sleep or the TaskWaker of the Suspend the task is parked on, else null */
  parkedOn: Sleep<unknown> | TaskWaker<unknown> | null = null;
  /** Done listeners and callbacks, in registration order: one (the common case) or a set. */
  private listeners: DoneListener | Set<DoneListener> | null = null;
  /** What few tasks need, allocated on first use: keeps the common task small. */
  private extra: TaskExtra | null = null;

  /** @internal READY, RUNNING, PARKED or DONE */
  get state(): number {
    return this.bits & STATE;
  }
  set state(s: number) {
    this.bits = (this.bits & ~STATE) | s;
  }
  private get flags(): number {
    return this.bits;
  }
  private set flags(f: number) {
    this.bits = f;
  }

  // The flag bits, as boolean properties (V8 inlines these accessors).
  /** @internal the next step throws `value` */
  get sendThrow(): boolean {
    return (this.flags & THROW) !== 0;
  }
  set sendThrow(on: boolean) {
    this.flags = on ? this.flags | THROW : this.flags & ~THROW;
  }
  /** @internal the next step or suspension point throws extra.pendingThrow (throwInto) */
  private get mustThrow(): boolean {
    return (this.flags & MUST_THROW) !== 0;
  }
  private set mustThrow(on: boolean) {
    this.flags = on ? this.flags | MUST_THROW : this.flags & ~MUST_THROW;
  }
  /** @internal the next step or suspension point throws CancelledError */
  get mustCancel(): boolean {
    return (this.flags & MUST_CANCEL) !== 0;
  }
  set mustCancel(on: boolean) {
    this.flags = on ? this.flags | MUST_CANCEL : this.flags & ~MUST_CANCEL;
  }
  /** @internal parked on the world outside (counted in loop._externalWaits) */
  get external(): boolean {
    return (this.flags & EXTERNAL) !== 0;
  }
  set external(on: boolean) {
    this.flags = on ? this.flags | EXTERNAL : this.flags & ~EXTERNAL;
  }
  private get forwarding(): boolean {
    return (this.flags & FORWARDING) !== 0;
  }
  private set forwarding(on: boolean) {
    this.flags = on ? this.flags | FORWARDING : this.flags & ~FORWARDING;
  }
  private get failed(): boolean {
    return (this.flags & FAILED) !== 0;
  }
  private set failed(on: boolean) {
    this.flags = on ? this.flags | FAILED : this.flags & ~FAILED;
  }
  private get wasCancelled(): boolean {
    return (this.flags & CANCELLED) !== 0;
  }
  private set wasCancelled(on: boolean) {
    this.flags = on ? this.flags | CANCELLED : this.flags & ~CANCELLED;
  }
  /** @internal the outcome was looked at (result/exception/await) */
  get retrieved(): boolean {
    return (this.flags & RETRIEVED) !== 0;
  }
  set retrieved(on: boolean) {
    this.flags = on ? this.flags | RETRIEVED : this.flags & ~RETRIEVED;
  }
  private get cancelRequests(): number {
    return this.extra === null ? 0 : this.extra.cancelRequests;
  }
  private set cancelRequests(n: number) {
    this.more().cancelRequests = n;
  }
  /** @internal set while the loop tracks this failed task as unretrieved */
  get _unretrievedRef(): WeakRef<Task<unknown>> | null {
    return this.extra === null ? null : this.extra.unretrievedRef;
  }
  set _unretrievedRef(ref: WeakRef<Task<unknown>> | null) {
    this.more().unretrievedRef = ref;
  }

  /** @internal use createTask() or loop.createTask() */
  constructor(
    /** The loop the task runs on. */
    readonly loop: EventLoop,
    id: number,
    /** @internal */
    readonly coro: Coroutine<T>,
    name: string | undefined,
    signal: AbortSignal | undefined,
  ) {
    this.id = id;
    this.serial = ++taskSerial;
    if (name !== undefined) this.more().name = name;
    if (signal !== undefined) {
      if (signal.aborted) this.cancel(abortMessage(signal));
      else {
        const onAbort = (): void => void this.cancel(abortMessage(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        this.more().stopSignal = () => signal.removeEventListener("abort", onAbort);
      }
    }
  }

  // ── the step: run by the loop each time the core hands out this task's id ──────────

  /** @internal */
  _run(): void {
    const loop = this.loop;
    if (this.state === PARKED) {
      // Only a fired sleep brings a parked task here. As asyncio's sleep timer, which only
      // sets a future whose wake-up runs in the next iteration: step in the next tick.
      (this.parkedOn as Sleep<unknown>).timer = -1;
      this.parkedOn = null;
      this.state = READY;
      loop._schedule(this.id);
      return;
    }
    let throwing = this.sendThrow;
    let value = this.value;
    this.sendThrow = false;
    this.value = undefined;
    if (this.mustThrow) {
      throwing = true;
      value = this.takePendingThrow();
    } else if (this.mustCancel) {
      // A cancel wins over what a waker sent (asyncio's _must_cancel).
      this.mustCancel = false;
      throwing = true;
      value = new CancelledError(this.extra?.cancelMessage);
    }
    this.state = RUNNING;
    loop._current = this;
    let r: IteratorResult<Instruction | undefined, T>;
    try {
      // Throwing into a generator that never started ends it without running its body:
      // a task cancelled before it first runs never runs its body.
      r = throwing ? this.coro.throw!(value) : this.coro.next(value);
    } catch (e) {
      loop._current = null;
      this.finish(undefined, e, true);
      return;
    }
    loop._current = null;
    if (!r.done) this.park(r.value);
    else if (this.mustCancel) {
      // Cancelled while running its last step: asyncio marks such a task cancelled.
      this.mustCancel = false;
      this.finish(undefined, new CancelledError(this.extra?.cancelMessage), true);
    } else this.finish(r.value, undefined, false);
  }

  /** Acts on what the coroutine yielded. The only place a task suspends. */
  private park(instr: Instruction | undefined): void {
    const loop = this.loop;
    if (this.mustThrow) {
      this.resumeWith(true, this.takePendingThrow());
      return;
    }
    if (this.mustCancel) {
      // Cancelled while running: the suspension point it just reached throws.
      this.mustCancel = false;
      this.resumeWith(true, new CancelledError(this.extra?.cancelMessage));
      return;
    }
    if (instr === undefined) {
      // A bare yield: give the turn. The cheapest context switch there is.
      this.state = READY;
      loop._schedule(this.id);
      return;
    }
    if ((instr instanceof Sleep || instr instanceof Suspend) && !instr.started) {
      // `yield sleep(10)` instead of `yield* sleep(10)`: the operation never ran.
      this.resumeWith(true, new TypeError(yieldedMessage(this.name, instr)));
      return;
    }
    if (instr instanceof Sleep) {
      this.state = PARKED;
      this.parkedOn = instr;
      // -1 for a deadline that never comes (sleep(Infinity)): parked until cancelled.
      instr.timer = loop._sleep(this.id, instr.ms);
      return;
    }
    if (instr instanceof Suspend) {
      const waker = new TaskWaker<unknown>(this, instr);
      this.state = PARKED;
      this.parkedOn = waker;
      this.external = instr.external;
      if (instr.external) loop._externalWaits++;
      let undo: (() => void) | void;
      try {
        undo = instr.setup(waker);
      } catch (e) {
        // The operation could not even start waiting: its error is the task's to handle.
        if (this.parkedOn === waker) this.wakeUp(true, e);
        return;
      }
      // setup may have resumed us synchronously: then its undo has nothing to undo.
      if (this.parkedOn === waker && undo !== undefined) waker.undo = undo;
      return;
    }
    this.resumeWith(true, new TypeError(yieldedMessage(this.name, instr)));
  }

  /** Schedules the next step with (throwing, value); `next`: in the loop's hand-off slot. */
  private resumeWith(throwing: boolean, value: unknown, next = false): void {
    this.sendThrow = throwing;
    this.value = value;
    this.state = READY;
    if (next) this.loop._scheduleNext(this.id);
    else this.loop._schedule(this.id);
  }

  /** @internal A waker fired (or setup threw): leave PARKED with a value to deliver. */
  wakeUp(throwing: boolean, value: unknown, next = false): void {
    if (this.external) {
      this.external = false;
      this.loop._externalWaits--;
    }
    this.parkedOn = null;
    this.resumeWith(throwing, value, next);
  }

  /**
   * @internal Ends a parked wait from outside (cancel, throwInto, deadlock): the timer
   * cancelled or the undo run, and `error` thrown at the suspension point.
   */
  interrupt(error: unknown): void {
    const on = this.parkedOn;
    if (on instanceof Sleep) {
      const timer = on.timer;
      on.timer = -1;
      this.parkedOn = null;
      if (timer < 0 || this.loop.core.disarm(timer)) {
        this.resumeWith(true, error);
      } else {
        // The timer already fired this tick: the core has queued us. Change what the
        // step will receive; scheduling again would run the task twice.
        this.sendThrow = true;
        this.value = error;
        this.state = READY;
      }
      return;
    }
    const waker = on as TaskWaker<unknown>;
    this.wakeUp(true, error);
    this.guard(
      () => waker.instr.cancelWait(waker.undo),
      "Exception in the undo of a cancelled wait",
    );
  }

  private finish(value: T | undefined, error: unknown, failed: boolean): void {
    this.state = DONE;
    if (failed) {
      this.failed = true;
      this.value = error;
      this.wasCancelled = error instanceof CancelledError;
    } else {
      this.value = value;
    }
    this.loop._taskDone(this);
    const extra = this.extra;
    if (extra !== null) {
      extra.stopSignal?.();
      extra.stopSignal = null;
    }
    // Registration order, listeners and callbacks alike (asyncio's order).
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners instanceof DoneListener) this.notify(listeners);
    else if (listeners !== null) for (const l of listeners) this.notify(l);
    if (failed && !this.retrieved && !this.wasCancelled) this.loop._unretrieved(this);
  }

  private notify(l: DoneListener): void {
    const self = this as unknown as Task<never>;
    if (l.soon) this.loop.callSoon(l.fn, self);
    else this.guard(() => l.fn(self), "Exception in a task's done listener");
  }

  /** Runs user code on the kernel's behalf; what it throws goes to the exception handler. */
  private guard(fn: () => void, message: string): void {
    try {
      fn();
    } catch (exception) {
      this.loop.callExceptionHandler({ message, exception, task: this as Task<unknown> });
    }
  }

  private takePendingThrow(): unknown {
    this.mustThrow = false;
    const extra = this.more();
    const e = extra.pendingThrow;
    extra.pendingThrow = undefined;
    return e;
  }

  // ── the public surface ────────────────────────────────────────────────────────────

  /**
   * Requests cancellation: CancelledError is thrown into the coroutine at its suspension
   * point (at once if it is parked, at its next suspension if it is ready or running).
   * Returns false if the task is already done (or its loop is closed).
   *
   * @example
   * ```ts
   * const t = createTask(sleep(1000));
   * t.cancel("no longer needed");
   * ```
   */
  cancel(msg?: string): boolean {
    if (this.state === DONE || this.loop.isClosed()) return false;
    this.cancelRequests++;
    if (msg !== undefined || this.extra !== null) {
      const extra = this.more();
      extra.cancelMessage = msg;
      extra.controller?.abort(new CancelledError(msg));
    }
    if (this.state === PARKED) {
      const on = this.parkedOn;
      if (on instanceof TaskWaker && on.instr.forwardCancel !== null) {
        // Forward the cancel (to an awaited task…) and keep waiting for its outcome. The
        // guard stops a cycle (A awaits B awaits A) from forwarding forever.
        if (!this.forwarding) {
          this.forwarding = true;
          try {
            // False: nothing left to cancel, the outcome is on its way (asyncio: the
            // future was done): the cancel lands when the task next steps.
            if (on.instr.forwardCancel(msg) === false) this.mustCancel = true;
          } catch (exception) {
            this.loop.callExceptionHandler({
              message: "Exception while forwarding a cancel",
              exception,
              task: this as Task<unknown>,
            });
          } finally {
            this.forwarding = false;
          }
        }
        return true;
      }
      this.interrupt(new CancelledError(msg));
    } else {
      this.mustCancel = true;
    }
    return true;
  }

  /**
   * Throws `error` into the coroutine at its suspension point: at once if the task is
   * parked (its wait is undone, not forwarded: an awaited task is left alone), else at its
   * next step or suspension point. Not a cancellation: `cancelling()` does not count it.
   * gevent's `kill(exception)` and greenlet's `throw` are built on it. Returns false if the
   * task is done (or its loop is closed).
   *
   * @example
   * ```ts
   * const t = createTask(function* () {
   *   try { yield* sleep(1000); } catch (e) { return String(e); }
   * });
   * yield; // let it start sleeping
   * t.throwInto(new Error("wake up"));
   * yield* t; // "Error: wake up"
   * ```
   */
  throwInto(error: unknown): boolean {
    if (this.state === DONE || this.loop.isClosed()) return false;
    if (this.state === PARKED) {
      this.interrupt(error);
      return true;
    }
    this.more().pendingThrow = error;
    this.mustThrow = true;
    return true;
  }

  /** How many cancel requests are pending (asyncio's Task.cancelling). */
  cancelling(): number {
    return this.cancelRequests;
  }

  /**
   * Withdraws one cancel request; at zero a not-yet-delivered cancel is dropped
   * (asyncio's Task.uncancel, used by timeout scopes). Returns the remaining count.
   */
  uncancel(): number {
    if (this.cancelRequests > 0) {
      this.cancelRequests--;
      if (this.cancelRequests === 0) this.mustCancel = false;
    }
    return this.cancelRequests;
  }

  /** True once the task finished by CancelledError. */
  cancelled(): boolean {
    return this.wasCancelled;
  }

  /** True once the task finished (returned, failed or was cancelled). */
  done(): boolean {
    return this.state === DONE;
  }

  /**
   * The return value. Throws the task's exception (or CancelledError), or
   * InvalidStateError if it has not finished.
   */
  result(): T {
    if (this.state !== DONE) throw new InvalidStateError(`task ${this.name} is not done`);
    if (this.failed) {
      this.markRetrieved();
      throw this.value;
    }
    return this.value as T;
  }

  /**
   * The exception the task failed with, or null. Throws CancelledError if it was
   * cancelled, InvalidStateError if it has not finished.
   */
  exception(): unknown {
    if (this.state !== DONE) throw new InvalidStateError(`task ${this.name} is not done`);
    if (this.wasCancelled) throw this.value;
    this.markRetrieved();
    return this.failed ? this.value : null;
  }

  /**
   * Calls `fn(task)` soon (with callSoon) after the task finishes, at once-soon if it
   * already has. Callbacks and awaiters are notified in the order they registered. Returns
   * a function that removes this one registration (asyncio returns nothing; removing by
   * `removeDoneCallback(fn)` works too).
   *
   * @example
   * ```ts
   * task.addDoneCallback((t) => console.log(`${t.name} finished`));
   * ```
   */
  addDoneCallback(fn: DoneCallback<T>): () => void {
    if (typeof fn !== "function")
      throw new TypeError(`spindle: addDoneCallback needs a function, got ${describe(fn)}`);
    if (this.state === DONE) {
      const h = this.loop.callSoon(fn, this);
      return () => h.cancel();
    }
    const l = new DoneListener(fn as (task: Task<never>) => void, true);
    this.addListener(l);
    return () => this.removeListener(l);
  }

  /** Removes every registration of `fn`; returns how many it removed. */
  removeDoneCallback(fn: DoneCallback<T>): number {
    const l = this.listeners;
    if (l === null) return 0;
    let removed = 0;
    if (l instanceof DoneListener) {
      if (l.soon && l.fn === fn) {
        this.listeners = null;
        removed = 1;
      }
      return removed;
    }
    for (const x of l)
      if (x.soon && x.fn === fn) {
        l.delete(x);
        removed++;
      }
    return removed;
  }

  /**
   * Calls `fn(task)` synchronously when the task finishes — for code that builds on the
   * kernel (a combinator, a stream, a greenlet) and must react in the same tick. Called
   * in registration order with done callbacks and awaiters; an error it throws goes to the
   * loop's exception handler. If the task is already done, `fn` is not called: check
   * `done()` first. Returns a function that unsubscribes (idempotent).
   *
   * @example
   * ```ts
   * const off = task.onDone((t) => waker.resume(t));
   * // ... cancelled while waiting:
   * off();
   * ```
   */
  onDone(fn: (task: Task<T>) => void): () => void {
    if (typeof fn !== "function")
      throw new TypeError(`spindle: onDone needs a function, got ${describe(fn)}`);
    if (this.state === DONE) return noop;
    const l = new DoneListener(fn as (task: Task<never>) => void, false);
    this.addListener(l);
    return () => this.removeListener(l);
  }

  /** @internal */
  _addJoiner(l: DoneListener): void {
    this.addListener(l);
  }
  /** @internal */
  _removeJoiner(l: DoneListener): void {
    this.removeListener(l);
  }

  private addListener(l: DoneListener): void {
    const ls = this.listeners;
    if (ls === null) this.listeners = l;
    else if (ls instanceof DoneListener) this.listeners = new Set([ls, l]);
    else ls.add(l);
  }

  private removeListener(l: DoneListener): void {
    const ls = this.listeners;
    if (ls === l) this.listeners = null;
    else if (ls instanceof Set) ls.delete(l);
  }

  /** An AbortSignal that aborts (with a CancelledError reason) when the task is cancelled. */
  get signal(): AbortSignal {
    const extra = this.more();
    if (extra.controller === null) {
      extra.controller = new AbortController();
      if (this.cancelRequests > 0 || this.wasCancelled)
        extra.controller.abort(new CancelledError(extra.cancelMessage));
    }
    return extra.controller.signal;
  }

  /** Waits for the task from a coroutine: `const v = yield* task`. */
  [Symbol.iterator](): Iterator<Instruction | undefined, T, unknown> {
    return new Join(this);
  }

  /** Awaits the task from async code. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const extra = this.more();
    if (extra.promise === null) {
      this.markRetrieved();
      extra.promise = new Promise<unknown>((resolve, reject) => {
        const settle = (): void => {
          if (this.failed) reject(this.value);
          else resolve(this.value);
        };
        if (this.state === DONE) settle();
        else this.onDone(settle);
      });
    }
    return (extra.promise as Promise<T>).then(onfulfilled, onrejected);
  }

  /** @internal the outcome (value or exception) without marking it retrieved */
  _peekOutcome(): unknown {
    return this.value;
  }

  private more(): TaskExtra {
    return (this.extra ??= new TaskExtra());
  }

  private markRetrieved(): void {
    if (!this.retrieved) {
      this.retrieved = true;
      if (this.failed) this.loop._retrieved(this);
    }
  }

  /** The task's name: the one given to createTask, else "Task-<n>". Writable. */
  get name(): string {
    const given = this.extra === null ? null : this.extra.name;
    return given ?? `Task-${this.serial}`;
  }
  set name(value: string) {
    this.more().name = String(value);
  }

  /**
   * What the task waits on while parked, in a few words ("Queue.get", "sleeping until
   * 1234.5", "task fetch"), else null.
   *
   * @example
   * ```ts
   * const t = createTask(sleep(1000));
   * yield;
   * t.waitingOn; // "sleeping until 1000"
   * ```
   */
  get waitingOn(): string | null {
    if (this.state !== PARKED) return null;
    const on = this.parkedOn;
    if (on instanceof TaskWaker) return on.instr.describe();
    if (on === null || on.timer < 0) return "sleeping forever";
    const at = this.loop.core.timerDeadline(on.timer);
    return Number.isNaN(at) ? "sleeping (timer fired)" : `sleeping until ${at}`;
  }

  toString(): string {
    switch (this.state) {
      case READY:
        return `<Task ${this.name} ready>`;
      case RUNNING:
        return `<Task ${this.name} running>`;
      case PARKED:
        return this.parkedOn instanceof TaskWaker
          ? `<Task ${this.name} waiting on ${this.waitingOn}>`
          : `<Task ${this.name} ${this.waitingOn}>`;
      default:
        if (this.wasCancelled) return `<Task ${this.name} cancelled>`;
        if (this.failed) return `<Task ${this.name} failed: ${describeError(this.value)}>`;
        return `<Task ${this.name} done>`;
    }
  }
}

function noop(): void {}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : describe(e);
}

/** The rarely used parts of a Task. */
class TaskExtra {
  /** The given name; null for the default "Task-<serial>". */
  name: string | null = null;
  cancelRequests = 0;
  cancelMessage: string | undefined = undefined;
  unretrievedRef: WeakRef<Task<unknown>> | null = null;
  promise: Promise<unknown> | null = null;
  controller: AbortController | null = null;
  stopSignal: (() => void) | null = null;
  /** What throwInto asked to throw at the next step or suspension point. */
  pendingThrow: unknown = undefined;
}

/** Join's setup, shared by every Join (called as a method: `this` is the Join). */
function joinSetup<T>(this: Join<T>, waker: Waker<T>): () => void {
  const task = this.task;
  const l = new DoneListener(() => void waker.resume(undefined as T), false);
  task._addJoiner(l);
  return () => task._removeJoiner(l);
}

/** Join's forwardCancel: cancelling the waiter cancels the awaited task (asyncio's await). */
function joinForward<T>(this: Join<T>, message: string | undefined): boolean {
  return this.task.cancel(message);
}

/**
 * `yield* task`: parks until the task finishes, then returns its result. Cancelling the
 * waiter cancels the task (asyncio's await semantics) and keeps waiting for its outcome
 * (forwardCancel); shield() opts out.
 */
class Join<T> extends Suspend<T> {
  constructor(readonly task: Task<T>) {
    super(joinSetup as (waker: Waker<T>) => () => void, false, joinForward, undefined);
  }
  override next(sent?: unknown): IteratorResult<Instruction | undefined, T> {
    // A finished task returns at once, without parking.
    if (this.task.state === DONE) return { value: this.task.result(), done: true };
    if (!this.started && this.task.loop._current === this.task)
      throw new DeadlockError(`spindle: task ${this.task.name} waits for itself`);
    return super.next(sent);
  }
  override describe(): string {
    return `task ${this.task.name}`;
  }
}

/**
 * The one Waker of a suspension. It is live while its task is parked on it
 * (`task.parkedOn === this`), and it holds the suspension's undo.
 */
export class TaskWaker<T> implements Waker<T> {
  woken = false;
  /** @internal the undo the suspension's setup returned */
  undo: (() => void) | null = null;
  constructor(
    private readonly task: Task<unknown>,
    /** @internal the suspension */
    readonly instr: Suspend<unknown>,
  ) {}
  get active(): boolean {
    const task = this.task;
    // A closed loop's wakers are inert: its core may serve another loop now.
    return task.parkedOn === this && !task.loop.isClosed();
  }
  resume(value: T): boolean {
    if (!this.active) return false;
    this.woken = true;
    this.task.wakeUp(false, value);
    return true;
  }
  fail(error: unknown): boolean {
    if (!this.active) return false;
    this.woken = true;
    this.task.wakeUp(true, error);
    return true;
  }
  handOff(value: T): boolean {
    if (!this.active) return false;
    this.woken = true;
    this.task.wakeUp(false, value, true);
    return true;
  }
}

/** The TypeError for a yielded value the kernel does not understand. */
function yieldedMessage(name: string, value: unknown): string {
  return (
    `spindle: coroutine ${name} yielded ${describe(value)}, which the kernel does not ` +
    "understand. To wait for an operation, use `yield*` (with the star): yield* sleep(10), " +
    "yield* task, yield* fromPromise(p). A bare `yield` (nothing after it) gives up the turn."
  );
}

function abortMessage(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : r === undefined ? "aborted" : String(r);
}
