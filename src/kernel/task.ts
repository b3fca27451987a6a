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
//  - PARKED ⇔ exactly one of `timer >= 0` (sleeping) or a live Suspend (`waitSeq` names the
//    one valid Waker; `undo` is its cancel path).
//  - What a resume sends is (`sendThrow`, `sendValue`); `mustCancel` asks the next
//    suspension point to throw CancelledError instead of parking.
//
// Cancellation, in one place (cancel): a PARKED task is interrupted — its timer cancelled or
// its undo run — and resumed with CancelledError; a READY or RUNNING task gets `mustCancel`
// and sees CancelledError at its next suspension point. A value a waker already handed to a
// READY task is delivered first (nothing a primitive handed over is lost); a bare turn or a
// fired sleep carries nothing, so the cancel lands at once.

import { CancelledError, DeadlockError, InvalidStateError, describe } from "../errors.js";
import { Sleep, Suspend, type Coroutine, type Instruction, type Waker } from "./operation.js";
import type { EventLoop } from "./loop.js";

let taskSerial = 0;

// Task.flags bits.
const THROW = 1;
const PRECIOUS = 2;
const MUST_CANCEL = 4;
const EXTERNAL = 8;
const DEFER = 16;
const FORWARDING = 32;
const FAILED = 64;
const CANCELLED = 128;
const RETRIEVED = 256;

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
  // Thirteen fields: with thousands of tasks alive, every scavenge copies them, so a Task's
  // size is a cost per task (measured: a 24-field object costs twice a 12-field one when
  // 100k are retained). Booleans share one `flags` word; rare state lives in `extra`.
  /** Process-wide creation number, as asyncio's Task-N. */
  private readonly serial: number;
  /** @internal creation order */
  get _serial(): number {
    return this.serial;
  }
  /** @internal READY, RUNNING, PARKED or DONE */
  state = READY;
  /** Bits: THROW, PRECIOUS, MUST_CANCEL, EXTERNAL, DEFER, FORWARDING, FAILED, CANCELLED, RETRIEVED. */
  private flags = 0;
  /** @internal what the next step sends in (thrown if THROW) */
  sendValue: unknown = undefined;
  /** @internal core timer while sleeping, else -1 */
  timer = -1;
  /** @internal bumped at every suspension; a Waker is valid only for its own */
  waitSeq = 0;
  /** @internal */ undo: (() => void) | null = null;
  /** The return value, or the exception when FAILED. */
  private outcome: unknown = undefined;
  /** @internal completion listeners, called synchronously: one (the common case) or many */
  private listeners: (() => void) | Array<() => void> | null = null;
  /** What few tasks need, allocated on first use: keeps the common task small. */
  private extra: TaskExtra | null = null;

  // The flag bits, as boolean properties (V8 inlines these accessors).
  /** @internal the next step throws sendValue */
  get sendThrow(): boolean {
    return (this.flags & THROW) !== 0;
  }
  set sendThrow(on: boolean) {
    this.flags = on ? this.flags | THROW : this.flags & ~THROW;
  }
  /** @internal a waker handed over sendValue: deliver it even if a cancel arrived since */
  get precious(): boolean {
    return (this.flags & PRECIOUS) !== 0;
  }
  set precious(on: boolean) {
    this.flags = on ? this.flags | PRECIOUS : this.flags & ~PRECIOUS;
  }
  /** @internal the next suspension point throws CancelledError */
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
  /** @internal parked with Suspend.deferCancel */
  get deferCancel(): boolean {
    return (this.flags & DEFER) !== 0;
  }
  set deferCancel(on: boolean) {
    this.flags = on ? this.flags | DEFER : this.flags & ~DEFER;
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
    let throwing = this.sendThrow;
    let value = this.sendValue;
    this.sendThrow = false;
    this.sendValue = undefined;
    this.timer = -1; // a sleep that brought us here has fired
    if (this.mustCancel && !this.precious) {
      this.mustCancel = false;
      throwing = true;
      value = new CancelledError(this.extra?.cancelMessage);
    }
    this.precious = false;
    this.state = RUNNING;
    const loop = this.loop;
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
    if (r.done) this.finish(r.value, undefined, false);
    else this.park(r.value);
  }

  /** Acts on what the coroutine yielded. The only place a task suspends. */
  private park(instr: Instruction | undefined): void {
    const loop = this.loop;
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
      this.waitSeq++;
      // -1 for a deadline that never comes (sleep(Infinity)): parked until cancelled.
      this.timer = loop._sleep(this.id, instr.ms);
      return;
    }
    if (instr instanceof Suspend) {
      const seq = ++this.waitSeq;
      this.state = PARKED;
      this.external = instr.external;
      this.deferCancel = instr.deferCancel;
      if (instr.external) loop._externalWaits++;
      let undo: (() => void) | void;
      try {
        undo = instr.setup(new TaskWaker(this, seq));
      } catch (e) {
        if (this.state === PARKED && this.waitSeq === seq) this.wakeUp(true, e, false);
        return;
      }
      // setup may have resumed us synchronously: then its undo has nothing to undo.
      if (this.state === PARKED && this.waitSeq === seq) this.undo = undo ?? null;
      return;
    }
    this.resumeWith(true, new TypeError(yieldedMessage(this.name, instr)));
  }

  /** Schedules the next step with (throwing, value). */
  private resumeWith(throwing: boolean, value: unknown): void {
    this.sendThrow = throwing;
    this.sendValue = value;
    this.state = READY;
    this.loop._schedule(this.id);
  }

  /** @internal A waker fired (or setup threw): leave PARKED with a value to deliver. */
  wakeUp(throwing: boolean, value: unknown, precious: boolean): void {
    if (this.external) {
      this.external = false;
      this.loop._externalWaits--;
    }
    this.waitSeq++;
    this.undo = null;
    this.deferCancel = false;
    this.precious = precious;
    this.resumeWith(throwing, value);
  }

  /**
   * @internal Ends a parked wait from outside (cancel, deadlock): the timer cancelled or
   * the undo run, and `error` thrown at the suspension point. `forward`: run a deferCancel
   * undo (which passes the cancel on to an awaited task); a deadlock does not.
   */
  interrupt(error: unknown, forward = true): void {
    if (this.timer >= 0) {
      const armed = this.loop.core.cancelTimer(this.timer);
      this.timer = -1;
      if (armed) {
        this.resumeWith(true, error);
      } else {
        // The timer already fired this tick: the core has queued us. Change what the
        // step will receive; scheduling again would run the task twice.
        this.sendThrow = true;
        this.sendValue = error;
        this.state = READY;
      }
      return;
    }
    const undo = this.deferCancel && !forward ? null : this.undo;
    this.wakeUp(true, error, false);
    undo?.();
  }

  private finish(value: T | undefined, error: unknown, failed: boolean): void {
    this.state = DONE;
    if (failed) {
      this.failed = true;
      this.outcome = error;
      this.wasCancelled = error instanceof CancelledError;
    } else {
      this.outcome = value;
    }
    this.loop._taskDone(this);
    const listeners = this.listeners;
    this.listeners = null;
    if (typeof listeners === "function") listeners();
    else if (listeners !== null) for (const l of listeners) l();
    const extra = this.extra;
    if (extra !== null) {
      extra.stopSignal?.();
      extra.stopSignal = null;
      const callbacks = extra.callbacks;
      extra.callbacks = null;
      if (callbacks !== null)
        for (const cb of callbacks) this.loop.callSoon(cb as DoneCallback<T>, this);
    }
    if (failed && !this.retrieved && !this.wasCancelled) this.loop._unretrieved(this);
  }

  // ── the public surface ────────────────────────────────────────────────────────────

  /**
   * Requests cancellation: CancelledError is thrown into the coroutine at its suspension
   * point (at once if it is parked, at its next suspension if it is ready or running).
   * Returns false if the task is already done.
   */
  cancel(msg?: string): boolean {
    if (this.state === DONE) return false;
    this.cancelRequests++;
    if (msg !== undefined || this.extra !== null) {
      const extra = this.more();
      extra.cancelMessage = msg;
      extra.controller?.abort(new CancelledError(msg));
    }
    if (this.state === PARKED) {
      if (this.deferCancel && this.timer < 0) {
        // Forward the cancel (to an awaited task…) and keep waiting for its outcome. The
        // guard stops a cycle (A awaits B awaits A) from forwarding forever.
        if (!this.forwarding) {
          this.forwarding = true;
          try {
            this.undo?.();
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
      throw this.outcome;
    }
    return this.outcome as T;
  }

  /**
   * The exception the task failed with, or null. Throws CancelledError if it was
   * cancelled, InvalidStateError if it has not finished.
   */
  exception(): unknown {
    if (this.state !== DONE) throw new InvalidStateError(`task ${this.name} is not done`);
    if (this.wasCancelled) throw this.outcome;
    this.markRetrieved();
    return this.failed ? this.outcome : null;
  }

  /** Calls `fn(task)` soon after the task finishes (at once-soon if it already has). */
  addDoneCallback(fn: DoneCallback<T>): void {
    if (this.state === DONE) {
      this.loop.callSoon(fn, this);
      return;
    }
    (this.more().callbacks ??= []).push(fn as DoneCallback<never>);
  }

  /** Removes every registration of `fn`; returns how many it removed. */
  removeDoneCallback(fn: DoneCallback<T>): number {
    const extra = this.extra;
    if (extra === null || extra.callbacks === null) return 0;
    const before = extra.callbacks.length;
    extra.callbacks = extra.callbacks.filter((cb) => cb !== (fn as DoneCallback<never>));
    return before - extra.callbacks.length;
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
          if (this.failed) reject(this.outcome);
          else resolve(this.outcome);
        };
        if (this.state === DONE) settle();
        else this._listen(settle);
      });
    }
    return (extra.promise as Promise<T>).then(onfulfilled, onrejected);
  }

  /** @internal Calls `fn` synchronously when the task finishes (kernel-internal waits). */
  _listen(fn: () => void): void {
    const l = this.listeners;
    if (l === null) this.listeners = fn;
    else if (typeof l === "function") this.listeners = [l, fn];
    else l.push(fn);
  }

  /** @internal */
  _unlisten(fn: () => void): void {
    const l = this.listeners;
    if (l === fn) this.listeners = null;
    else if (Array.isArray(l)) {
      const i = l.indexOf(fn);
      if (i >= 0) l.splice(i, 1);
    }
  }

  /** @internal the outcome (value or exception) without marking it retrieved */
  _peekOutcome(): unknown {
    return this.outcome;
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

  toString(): string {
    const s = ["ready", "running", "parked", "done"][this.state];
    return `<Task ${this.name} ${s}>`;
  }
}

/** The rarely used parts of a Task. */
class TaskExtra {
  /** The given name; null for the default "Task-<serial>". */
  name: string | null = null;
  cancelRequests = 0;
  cancelMessage: string | undefined = undefined;
  unretrievedRef: WeakRef<Task<unknown>> | null = null;
  // DoneCallback<never>: keeps Task<T> assignable to Task<unknown> (T only flows out).
  callbacks: Array<DoneCallback<never>> | null = null;
  promise: Promise<unknown> | null = null;
  controller: AbortController | null = null;
  stopSignal: (() => void) | null = null;
}

/**
 * `yield* task`: parks until the task finishes, then returns its result. Cancelling the
 * waiter cancels the task (asyncio's await semantics) and keeps waiting for its outcome
 * (deferCancel); shield() opts out.
 */
class Join<T> extends Suspend<T> {
  constructor(private readonly task: Task<T>) {
    super(
      (waker) => {
        task._listen(() => void waker.resume(undefined as T));
        return () => void task.cancel();
      },
      false,
      true,
    );
  }
  override next(sent?: unknown): IteratorResult<Instruction | undefined, T> {
    // A finished task returns at once, without parking.
    if (this.task.state === DONE) return { value: this.task.result(), done: true };
    if (!this.started && this.task.loop._current === this.task)
      throw new DeadlockError(`spindle: task ${this.task.name} waits for itself`);
    return super.next(sent);
  }
}

class TaskWaker<T> implements Waker<T> {
  constructor(
    private readonly task: Task<unknown>,
    private readonly seq: number,
  ) {}
  get active(): boolean {
    return this.task.state === PARKED && this.task.waitSeq === this.seq;
  }
  resume(value: T): boolean {
    if (!this.active) return false;
    this.task.wakeUp(false, value, true);
    return true;
  }
  fail(error: unknown): boolean {
    if (!this.active) return false;
    this.task.wakeUp(true, error, true);
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
