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

/** The operation behind `sleep(ms)`: the kernel arms a core timer for the task itself. */
export class Sleep<T = void> extends OneShot<T> {
  constructor(
    readonly ms: number,
    private readonly value: T,
  ) {
    super();
  }
  protected instruction(): Instruction | undefined {
    // sleep(0) or less only gives the turn, as asyncio's sleep(0).
    return this.ms > 0 ? (this as Sleep<unknown>) : undefined;
  }
  protected result(): T {
    return this.value;
  }
}

/** Undo for a parked task: what cancelling it does (remove it from a wait list, …). */
export type Undo = () => void;

/**
 * Resumes one parked task, once. Stale after the first resume/fail or after the task was
 * interrupted: later calls return false and do nothing, so a wait list may hold wakers
 * of tasks that have since moved on.
 */
export interface Waker<T> {
  /** True while the task is still parked on this suspension. */
  readonly active: boolean;
  /** Resumes the task with `value` (delivered even if the task is cancelled meanwhile). */
  resume(value: T): boolean;
  /** Resumes the task by throwing `error` at its suspension point. */
  fail(error: unknown): boolean;
}

/** The operation behind `suspend(setup)`. */
export class Suspend<T> extends OneShot<T> {
  constructor(
    readonly setup: (waker: Waker<T>) => Undo | void,
    /** Counted as a wait on the world outside the loop (a Promise, I/O). */
    readonly external: boolean,
    /**
     * On cancel, run the undo but stay parked: the undo forwards the cancellation (to an
     * awaited task, say) and the waker reports the outcome. asyncio's await-a-future.
     */
    readonly deferCancel: boolean,
  ) {
    super();
  }
  protected instruction(): Instruction {
    return this as Suspend<unknown>;
  }
  protected result(sent: unknown): T {
    return sent as T;
  }
}

/** What Attempt.attempt() returns to say "not yet: park the task". */
export const NOT_YET: unique symbol = Symbol("spindle.notYet");

/** Calls the subclass's park(); shared by every Attempt, so none allocates a closure. */
function parkAttempt<T>(this: Attempt<T>, waker: Waker<T>): Undo | void {
  return this.park(waker);
}

/**
 * An operation that finishes at once when it can, and parks the task when it cannot:
 * subclass it with `attempt()` (a value to finish now, or NOT_YET) and `park(waker)`
 * (register the waker; return the undo, as suspend's setup). One allocation per use and no
 * generator — the way spindle's locks and queues are written. `attempt` runs when the
 * operation is first stepped by `yield*`, not when it is created.
 *
 * @example
 * ```ts
 * class Take extends Attempt<number> {
 *   constructor(private readonly box: Box) { super(); }
 *   protected attempt() { return this.box.full ? this.box.take() : NOT_YET; }
 *   park(waker: Waker<number>) { return this.box.onFill(waker); }
 * }
 * const n = yield* new Take(box);
 * ```
 */
export abstract class Attempt<T> extends Suspend<T> {
  constructor(options?: SuspendOptions) {
    super(
      parkAttempt as (waker: Waker<T>) => Undo | void,
      options?.external ?? false,
      options?.deferCancel ?? false,
    );
  }
  /** A value to finish with at once, or NOT_YET to park. */
  protected abstract attempt(): T | typeof NOT_YET;
  /** Registers the waker; returns the undo that runs if the task is cancelled while parked. */
  abstract park(waker: Waker<T>): Undo | void;
  override next(sent?: unknown): IteratorResult<Instruction | undefined, T> {
    if (!this.started) {
      const v = this.attempt();
      if (v !== NOT_YET) {
        this.started = true;
        return { value: v, done: true };
      }
    }
    return super.next(sent);
  }
}

/** Options of `suspend`. */
export interface SuspendOptions {
  /**
   * The waker is called from outside the loop (a Promise callback, a socket event).
   * Such waits keep deadlock detection quiet. Default true; spindle's own primitives,
   * whose wakers are called by other tasks, pass false.
   */
  external?: boolean;
  /** See Suspend.deferCancel. Default false. */
  deferCancel?: boolean;
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
 * });
 * ```
 */
export function suspend<T>(
  setup: (waker: Waker<T>) => Undo | void,
  options?: SuspendOptions,
): Operation<T> & Iterator<Instruction | undefined, T, unknown> {
  return new Suspend<T>(setup, options?.external ?? true, options?.deferCancel ?? false);
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
