import { ensureTask, requireTask } from "../kernel/event-loop.js";
import { CancelledError, TimeoutError, describe } from "../errors.js";
import { asOperation, type CoroutineLike } from "../kernel/loop.js";
import { Task } from "../kernel/task.js";
import { isCoroutine, isOperation, type Instruction, type Operation } from "../kernel/operation.js";
import type { Handle } from "../kernel/handle.js";

/**
 * Runs `body` in the current task with a deadline `ms` from now (asyncio.timeout). When it
 * passes, the task is cancelled at its suspension point; the scope turns that cancellation
 * into a TimeoutError. `null` means no deadline. A cancel from elsewhere stays a
 * CancelledError, and a body that swallows the cancellation finishes normally.
 *
 * @example
 * ```ts
 * try {
 *   yield* timeout(100, function* () { yield* sleep(1000); });
 * } catch (e) { e instanceof TimeoutError; } // true
 * ```
 */
export function timeout<T>(ms: number | null, body: CoroutineLike<T>): Operation<T> {
  if (ms !== null && (typeof ms !== "number" || Number.isNaN(ms)))
    throw new TypeError(`spindle: timeout needs a number of ms or null, got ${describe(ms)}`);
  return ms === null ? new Unbounded(body) : new Scope(ms, false, body);
}

/**
 * Like timeout, with an absolute deadline in loop time (ms, as loop.time()).
 *
 * @example
 * ```ts
 * const deadline = getRunningLoop()!.time() + 500;
 * yield* timeoutAt(deadline, function* () { yield* stepOne(); yield* stepTwo(); });
 * ```
 */
export function timeoutAt<T>(when: number | null, body: CoroutineLike<T>): Operation<T> {
  if (when !== null && (typeof when !== "number" || Number.isNaN(when)))
    throw new TypeError(`spindle: timeoutAt needs a loop time or null, got ${describe(when)}`);
  return when === null ? new Unbounded(body) : new Scope(when, true, body);
}

/** `timeout(null, body)`: the body as is, resolved when `yield*` starts it. */
class Unbounded<T> implements Operation<T> {
  constructor(private readonly body: CoroutineLike<T>) {}
  [Symbol.iterator](): Iterator<Instruction | undefined, T, unknown> {
    return asOperation(this.body)[Symbol.iterator]();
  }
}

/** The timer callback of every scope: the scope rides in the args, so no closure. */
function expire(scope: Scope<unknown>): void {
  scope.expire();
}

/**
 * A timeout scope (asyncio's Timeout): the body's iterator, driven through this object
 * rather than a generator wrapping it — a method call per step instead of a generator
 * resume, and one object per scope (plus the timer). Its three exits mirror
 * `try { yield* body } catch { … } finally { … }`: the deadline is armed when `yield*`
 * starts it; a CancelledError that the expiry caused becomes TimeoutError; the timer is
 * cancelled and an unused cancel request withdrawn on every way out.
 */
class Scope<T> implements Operation<T>, Iterator<Instruction | undefined, T, unknown> {
  private it: Iterator<Instruction | undefined, T, unknown> | null = null;
  private task: Task<unknown> | null = null;
  private handle: Handle | null = null;
  private expired = false;
  private before = 0;

  constructor(
    private readonly at: number,
    private readonly absolute: boolean,
    private readonly body: CoroutineLike<T>,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  /** @internal the deadline passed: cancel the task (the timer's callback). */
  expire(): void {
    const task = this.task!;
    if (task.done()) return;
    this.expired = true;
    task.cancel("timeout");
  }

  private start(): Iterator<Instruction | undefined, T, unknown> {
    const task = requireTask("timeout");
    const loop = task.loop;
    this.task = task;
    this.before = task.cancelling();
    const it = asOperation(this.body)[Symbol.iterator]();
    this.it = it;
    const now = loop.time(); // one clock read per scope: ~30 ns each
    const when = this.absolute ? this.at : now + this.at;
    // As asyncio's Timeout.reschedule: a deadline already passed expires with call_soon,
    // so the body is cancelled at its very first suspension.
    this.handle =
      when <= now
        ? loop.callSoon(expire, this as Scope<unknown>)
        : loop.callAt(when, expire, this as Scope<unknown>);
    return it;
  }

  next(sent?: unknown): IteratorResult<Instruction | undefined, T> {
    const it = this.it ?? this.start();
    let r: IteratorResult<Instruction | undefined, T>;
    try {
      r = it.next(sent);
    } catch (e) {
      throw this.failed(e);
    }
    if (r.done) this.finish();
    return r;
  }

  throw(error: unknown): IteratorResult<Instruction | undefined, T> {
    const it = this.it;
    if (it === null) throw error; // never started: nothing to clean up
    let r: IteratorResult<Instruction | undefined, T>;
    try {
      if (it.throw === undefined) throw error;
      r = it.throw(error);
    } catch (e) {
      throw this.failed(e);
    }
    if (r.done) this.finish();
    return r;
  }

  return(value?: T): IteratorResult<Instruction | undefined, T> {
    const it = this.it;
    if (it === null) return { value: value as T, done: true };
    try {
      return it.return?.(value) ?? { value: value as T, done: true };
    } finally {
      this.finish();
    }
  }

  /** The body threw `e`: what the scope throws instead (the `catch`, then `finally`). */
  private failed(e: unknown): unknown {
    let out = e;
    if (this.expired) {
      this.expired = false;
      if (this.task!.uncancel() <= this.before && e instanceof CancelledError)
        out = new TimeoutError("spindle: timed out", { cause: e });
    }
    this.finish();
    return out;
  }

  /** Every way out: the timer goes; an expiry the body swallowed is withdrawn. */
  private finish(): void {
    this.handle?.cancel();
    this.handle = null;
    if (this.expired) {
      this.expired = false;
      this.task!.uncancel();
    }
  }
}

/**
 * Waits for `op` at most `ms` (asyncio.wait_for): on time, returns its result; late, cancels
 * it, waits until it has finished cancelling, and throws TimeoutError. `null`: no limit.
 * A generator runs inline in the current task; a Task, Promise or async function is awaited
 * as a task.
 *
 * @example
 * ```ts
 * const v = yield* waitFor(fetchThing(), 500);
 * ```
 */
export function* waitFor<T>(
  op: Task<T> | CoroutineLike<T>,
  ms: number | null,
): Generator<Instruction | undefined, T, unknown> {
  if (ms !== null && (typeof ms !== "number" || Number.isNaN(ms)))
    throw new TypeError(`spindle: waitFor needs a number of ms or null, got ${describe(ms)}`);
  const inline = !(op instanceof Task) && (isCoroutine(op) || isOperation(op));
  if (inline && ms !== null && ms <= 0) {
    // Out of time before it starts: like asyncio (which wraps it in a task cancelled
    // before its first step), the operation never runs.
    if (isCoroutine(op)) op.return?.(undefined as T);
    throw new TimeoutError("spindle: timed out");
  }
  const target = inline ? op : ensureTask(op);
  if (ms !== null && ms <= 0 && target instanceof Task) {
    if (target.done()) return target.result();
    target.cancel();
    try {
      // As a late operation under any other timeout: a task that swallows the cancel keeps
      // its value, and an error other than the cancellation is not hidden.
      return yield* target;
    } catch (e) {
      if (e instanceof CancelledError) throw new TimeoutError("spindle: timed out", { cause: e });
      throw e;
    }
  }
  return yield* timeout(ms, target as CoroutineLike<T>);
}
