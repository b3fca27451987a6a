import { ensureTask, requireTask } from "../kernel/event-loop.js";
import { CancelledError, TimeoutError, describe } from "../errors.js";
import { asOperation, type CoroutineLike } from "../kernel/loop.js";
import { Task } from "../kernel/task.js";
import { isCoroutine, isOperation, type Instruction } from "../kernel/operation.js";

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
export function timeout<T>(
  ms: number | null,
  body: CoroutineLike<T>,
): Generator<Instruction | undefined, T, unknown> {
  if (ms !== null && (typeof ms !== "number" || Number.isNaN(ms)))
    throw new TypeError(`spindle: timeout needs a number of ms or null, got ${describe(ms)}`);
  return scope(ms, false, body);
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
export function timeoutAt<T>(
  when: number | null,
  body: CoroutineLike<T>,
): Generator<Instruction | undefined, T, unknown> {
  if (when !== null && (typeof when !== "number" || Number.isNaN(when)))
    throw new TypeError(`spindle: timeoutAt needs a loop time or null, got ${describe(when)}`);
  return scope(when, true, body);
}

function* scope<T>(
  at: number | null,
  absolute: boolean,
  body: CoroutineLike<T>,
): Generator<Instruction | undefined, T, unknown> {
  const task = requireTask("timeout");
  const loop = task.loop;
  const op = asOperation(body);
  if (at === null) return yield* op;
  let expired = false;
  const before = task.cancelling();
  const onTimeout = (): void => {
    if (task.done()) return;
    expired = true;
    task.cancel("timeout");
  };
  const when = absolute ? at : loop.time() + at;
  // As asyncio's Timeout.reschedule: a deadline already passed expires with call_soon, so
  // the body is cancelled at its very first suspension.
  const handle = when <= loop.time() ? loop.callSoon(onTimeout) : loop.callAt(when, onTimeout);
  try {
    return yield* op;
  } catch (e) {
    if (expired) {
      expired = false;
      if (task.uncancel() <= before && e instanceof CancelledError)
        throw new TimeoutError(`spindle: timed out`, { cause: e });
    }
    throw e;
  } finally {
    handle.cancel();
    // Expired, but the body finished anyway (it swallowed the cancel, or it was never
    // delivered): withdraw our request so it cannot leak out of the scope.
    if (expired) task.uncancel();
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
