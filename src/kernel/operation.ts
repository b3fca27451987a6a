// Operations and the kernel's instructions ("traps", in curio's words).
//
// A coroutine is a generator. It talks to the kernel by yielding exactly one of:
//   - nothing (a bare `yield`): give the turn to the next ready task;
//   - a Sleep: wake me at a deadline;
//   - a Suspend: park me; `setup` gets a Waker that resumes me, and returns the one undo
//     the kernel runs if I am cancelled while parked.
// Everything else — tasks, combinators, locks, queues, streams — is built from these three,
// through the public functions below. Users never yield instructions themselves: they
// `yield*` operations, which yield instructions inside.

/** Opaque kernel instruction. Produced by spindle's operations; never build one by hand. */
export type Instruction = Sleep<unknown> | Suspend<unknown>;

/**
 * Something a coroutine can `yield*`: an iterable whose iterator yields kernel instructions
 * and returns a `T`. Generators returned by spindle's functions are operations; so is every
 * generator you write.
 */
export interface Operation<T> {
  [Symbol.iterator](): Iterator<Instruction | undefined, T, unknown>;
}

/** A running coroutine: what a generator function returns. */
export type Coroutine<T = unknown> = Iterator<Instruction | undefined, T, unknown>;

/**
 * A one-shot operation that yields one instruction and returns what the kernel sends back.
 * A class rather than a generator: under `yield*` it costs one small allocation instead of
 * a generator object (measured: ~45 ns vs ~70 ns per use). throw()/return() forward
 * cancellation and early exit through `yield*` exactly as a generator would.
 */
abstract class OneShot<T> implements Iterator<Instruction | undefined, T, unknown> {
  /** @internal false until `yield*` starts it: a bare `yield op` (a forgotten `*`) is caught by this */
  started = false;
  [Symbol.iterator](): this {
    return this;
  }
  /** The instruction to yield (undefined: a bare turn). */
  protected abstract instruction(): Instruction | undefined;
  /** The operation's result, given what the kernel resumed it with. */
  protected abstract result(sent: unknown): T;
  next(sent?: unknown): IteratorResult<Instruction | undefined, T> {
    if (!this.started) {
      this.started = true;
      return { value: this.instruction(), done: false };
    }
    return { value: this.result(sent), done: true };
  }
  throw(error: unknown): IteratorResult<Instruction | undefined, T> {
    throw error;
  }
  return(value?: T): IteratorResult<Instruction | undefined, T> {
    this.started = true;
    return { value: value as T, done: true };
  }
}

/** Sleep.timer before `yield*` started the sleep: a forgotten `*` is caught by this. */
const NOT_STARTED = -2;

/**
 * The operation behind `sleep(ms)`: the kernel arms a core timer for the task itself. Two
 * fields, as small as a sleeping task's parts can be (a million may sleep at once): `ms`,
 * and `timer`, the core's timer handle while the task sleeps (-1 for a deadline that
 * never comes, NOT_STARTED before `yield*` steps it). `sleep(ms, value)` is a SleepWith.
 */
export class Sleep<T = void> implements Iterator<Instruction | undefined, T, unknown> {
  /** @internal */
  timer = NOT_STARTED;
  constructor(readonly ms: number) {}
  /** @internal false until `yield*` starts it */
  get started(): boolean {
    return this.timer !== NOT_STARTED;
  }
  [Symbol.iterator](): this {
    return this;
  }
  next(): IteratorResult<Instruction | undefined, T> {
    if (this.timer === NOT_STARTED) {
      this.timer = -1;
      // sleep(0) or less only gives the turn, as asyncio's sleep(0).
      return { value: this.ms > 0 ? (this as Sleep<unknown>) : undefined, done: false };
    }
    return { value: this.result(), done: true };
  }
  throw(error: unknown): IteratorResult<Instruction | undefined, T> {
    throw error;
  }
  return(value?: T): IteratorResult<Instruction | undefined, T> {
    this.timer = -1;
    return { value: value as T, done: true };
  }
  protected result(): T {
    return undefined as T;
  }
}

/** `sleep(ms, value)`: a Sleep that returns `value`. */
export class SleepWith<T> extends Sleep<T> {
  constructor(
    ms: number,
    private readonly value: T,
  ) {
    super(ms);
  }
  protected override result(): T {
    return this.value;
  }
}

/** Undo for a parked task: what cancelling it does (remove it from a wait list, …). */
export type Undo = () => void;

/**
 * Resumes one parked task, once. Stale after the first resume/fail or after the task was
 * interrupted: later calls return false and do nothing, so a wait list may hold wakers
 * of tasks that have since moved on.
 *
 * A resume is a wake-up, not a delivery: if the task is cancelled after it was resumed
 * but before it runs, the cancellation wins (as in asyncio) and `value` is dropped. A
 * primitive therefore keeps what it offers (a queue item, a lock) until the woken task
 * takes it when it runs, and passes the offer on when that task meets CancelledError
 * instead (see `Attempt.abandon`).
 */
export interface Waker<T> {
  /** True while the task is still parked on this suspension. */
  readonly active: boolean;
  /** True once this waker's resume() or fail() took effect. */
  readonly woken: boolean;
  /** Readies the task to resume with `value` at its next step (a cancel first wins). */
  resume(value: T): boolean;
  /** Readies the task to resume by throwing `error` at its suspension point. */
  fail(error: unknown): boolean;
  /**
   * A directed hand-off: like resume(), but the task runs next — right after the step in
   * progress, ahead of every other ready task — instead of at the back of the ready
   * queue. For explicit control transfer (greenlet's switch). It changes the order asyncio
   * would run things in, so asyncio-compatible primitives do not use it. Fairness: after
   * MAX_HANDOFF_CHAIN hand-offs back to back, the next one is queued as resume() would.
   */
  handOff(value: T): boolean;
}

/** The operation behind `suspend(setup)`. */
export class Suspend<T> extends OneShot<T> {
  constructor(
    readonly setup: (waker: Waker<T>) => Undo | void,
    /** Counted as a wait on the world outside the loop (a Promise, I/O). */
    readonly external: boolean,
    /**
     * asyncio's await-a-future: on cancel, the kernel calls this instead of interrupting,
     * and the task stays parked; it passes the cancel on (to an awaited task, say) and the
     * waker reports the outcome. Other interruptions (throwInto, a deadlock) run the undo.
     */
    readonly forwardCancel: ((message: string | undefined) => boolean | void) | null,
    /** What the task waits on, for task.toString() and deadlock reports. */
    private readonly description: string | undefined,
  ) {
    super();
  }
  protected instruction(): Instruction {
    return this as Suspend<unknown>;
  }
  protected result(sent: unknown): T {
    return sent as T;
  }
  /** What the task waits on, in a few words ("Queue.get", "a Promise"). */
  describe(): string {
    return this.description ?? "suspend()";
  }
  /** @internal The task was interrupted while parked here: run the undo setup returned. */
  cancelWait(undo: Undo | null): void {
    if (undo !== null) undo();
  }
}

/** What Attempt.attempt() returns to say "not yet: park the task". */
export const NOT_YET: unique symbol = Symbol("spindle.notYet");

/** Calls the subclass's park(); shared by every Attempt, so none allocates a closure. */
function parkAttempt<T>(this: Attempt<T>, waker: Waker<T>): Undo | void {
  this.waker = waker;
  return this.park(waker);
}

/**
 * An operation that finishes at once when it can, and parks the task when it cannot:
 * subclass it with `attempt()` (a value to finish now, or NOT_YET) and `park(waker)`
 * (register the waker; return the undo, as suspend's setup). One allocation per use and no
 * generator — the way spindle's locks and queues are written. `attempt` runs when the
 * operation is first stepped by `yield*`, not when it is created.
 *
 * Woken tasks take what they were woken for when they run: a parked Attempt is resumed
 * (its `resume(sent)` runs in the woken task's step and may attempt again, or park again),
 * and if a cancel wins the race after it was woken, `abandon()` runs in the cancelled task
 * so the primitive can pass its offer to the next waiter (asyncio's rule: nothing offered
 * to a cancelled waiter is lost).
 *
 * @example
 * ```ts
 * class Take extends Attempt<number> {
 *   constructor(private readonly box: Box) { super(); }
 *   protected attempt() { return this.box.full ? this.box.take() : NOT_YET; }
 *   park(waker: Waker<number>) { return this.box.onFill(waker); }
 *   override describe() { return "Box.take"; }
 * }
 * const n = yield* new Take(box);
 * ```
 */
export abstract class Attempt<T> extends Suspend<T> {
  /** @internal the waker of the latest park */
  waker: Waker<T> | null = null;
  constructor(options?: SuspendOptions) {
    super(
      parkAttempt as (waker: Waker<T>) => Undo | void,
      options?.external ?? false,
      options?.forwardCancel ?? null,
      options?.describe,
    );
  }
  /** A value to finish with at once, or NOT_YET to park. */
  protected abstract attempt(): T | typeof NOT_YET;
  /**
   * Registers the waker; returns the undo that runs if the task is cancelled while parked,
   * or nothing to have `unpark()` run instead (no closure per wait).
   */
  abstract park(waker: Waker<T>): Undo | void;
  /** Undoes park() when it returned no undo: the task was interrupted while parked. */
  protected unpark(): void {}
  /** @internal */
  override cancelWait(undo: Undo | null): void {
    if (undo !== null) undo();
    else this.unpark();
  }
  /**
   * Runs in the task's step when it was woken, with what the waker sent: the operation's
   * result, or NOT_YET to park again (the woken task found the offer taken meanwhile, as
   * asyncio's `while self.empty(): await getter`). Default: the value sent.
   */
  protected resume(sent: unknown): T | typeof NOT_YET {
    return sent as T;
  }
  /**
   * Runs in the task when it meets an error at this suspension point after its waker
   * fired (a cancel that won the race against the wake-up): pass the offer on to the next
   * waiter. Not called when the task was interrupted while still parked (the undo ran).
   * Default: nothing.
   */
  protected abandon(): void {}
  override next(sent?: unknown): IteratorResult<Instruction | undefined, T> {
    if (!this.started) {
      const v = this.attempt();
      if (v !== NOT_YET) {
        this.started = true;
        return { value: v, done: true };
      }
      this.started = true;
      return { value: this as Suspend<unknown>, done: false };
    }
    const v = this.resume(sent);
    // Not yet after all: park again (a fresh suspension, at the back of the line).
    if (v === NOT_YET) return { value: this as Suspend<unknown>, done: false };
    return { value: v, done: true };
  }
  override throw(error: unknown): IteratorResult<Instruction | undefined, T> {
    // Woken, then an error (a cancel) won the race: what was offered goes to the next one.
    if (this.waker !== null && this.waker.woken) this.abandon();
    throw error;
  }
}

/** Options of `suspend` and `Attempt`. */
export interface SuspendOptions {
  /**
   * The waker is called from outside the loop (a Promise callback, a socket event).
   * Such waits keep deadlock detection quiet. Default true for `suspend`; spindle's own
   * primitives, whose wakers are called by other tasks, pass false (Attempt's default).
   */
  external?: boolean;
  /**
   * Await-a-future semantics: cancelling the parked task calls this (with the cancel
   * message) instead of interrupting it; the task stays parked until its waker reports
   * the outcome. Return false if there was nothing left to cancel (the outcome is already
   * on its way): the task then meets CancelledError when it next steps, as asyncio's
   * `_must_cancel`. The undo still runs for other interruptions (throwInto, deadlock).
   */
  forwardCancel?: (message: string | undefined) => boolean | void;
  /** What the task waits on, in a few words: shown by task.toString() and deadlock reports. */
  describe?: string;
}

/**
 * Parks the current task until `setup`'s waker resumes it; the kernel's one way to wait.
 * `setup` runs synchronously and returns the undo for cancellation (exactly one undo path:
 * it runs if, and only if, the task is interrupted before the waker fired).
 *
 * @example
 * ```ts
 * // Wait for a Node callback API.
 * const data = yield* suspend<Buffer>((waker) => {
 *   const off = onData((chunk) => waker.resume(chunk));
 *   return off; // cancelling the task unsubscribes
 * }, { describe: "data" });
 * ```
 */
export function suspend<T>(
  setup: (waker: Waker<T>) => Undo | void,
  options?: SuspendOptions,
): Operation<T> & Iterator<Instruction | undefined, T, unknown> {
  return new Suspend<T>(
    setup,
    options?.external ?? true,
    options?.forwardCancel ?? null,
    options?.describe,
  );
}

/**
 * Gives the turn to the next ready task, like a bare `yield` (for use where an operation
 * is expected).
 *
 * @example
 * ```ts
 * yield* turn();
 * ```
 */
export function* turn(): Generator<undefined, void, unknown> {
  yield;
}

/** Is `value` a generator-like coroutine object (has next and throw)? */
export function isCoroutine(value: unknown): value is Coroutine {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Coroutine).next === "function" &&
    typeof (value as Coroutine).throw === "function"
  );
}

/** Is `value` a thenable? */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function"
  );
}

/** Is `value` an Operation (iterable)? */
export function isOperation(value: unknown): value is Operation<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Operation<unknown>)[Symbol.iterator] === "function"
  );
}
