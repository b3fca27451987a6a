// Callback handles: what callSoon/callLater/callAt return. A handle takes no task slot in
// the core: the loop gives it a host token (an i32 <= -2 naming its entry in the loop's
// handle table), which waits in the same FIFO ready queue as task ids — callSoon pushes it,
// a fired timer (the core's wheel) moves it there — so callbacks and task wake-ups run in
// one deterministic order, asyncio's.
//
// Cancelling a callSoon handle only marks it: its token stays queued and is skipped (and
// its table entry freed) when it comes out. Cancelling a timer disarms it in the core (a
// write into shared memory, no crossing) and frees the entry at once; if the timer had
// fired already, the token is queued and skipped like a callSoon's.

import type { EventLoop } from "./loop.js";

const NO_ARGS: readonly unknown[] = Object.freeze([]);

/** Handle.token once cancel() was called (tokens are <= -2; -1 means ran or never queued). */
const CANCELLED = 0;

/**
 * A scheduled callback (asyncio.Handle).
 *
 * @example
 * ```ts
 * const h = loop.callSoon(() => console.log("never"));
 * h.cancel();
 * ```
 */
export class Handle {
  /**
   * @internal the token in the loop's handle table while scheduled, -1 once it ran,
   * CANCELLED once cancelled (one field for both: with 200k timers pending, a handle's
   * size is a cost per timer — what survives scavenges is what costs)
   */
  token: number;

  /** @internal */
  constructor(
    protected readonly loop: EventLoop,
    token: number,
    private callback: ((...args: never[]) => void) | null,
    args: readonly unknown[],
  ) {
    this.token = token;
    // The rest array of a call with no argument or one dies young instead of living as long
    // as the handle (a timeout scope passes itself): with many timers pending, what
    // survives a scavenge is what costs.
    if (args.length > 1) this.args = args;
    else if (args.length === 1) this.arg = args[0];
  }

  /** The arguments when there are two or more; NO_ARGS otherwise. */
  private args: readonly unknown[] = NO_ARGS;
  /** The argument when there is exactly one; NO_ARGS otherwise (a value no caller has). */
  private arg: unknown = NO_ARGS;

  /**
   * Stops the callback from running; no effect once it ran.
   *
   * @example
   * ```ts
   * const h = loop.callSoon(() => console.log("never"));
   * h.cancel();
   * ```
   */
  cancel(): void {
    const token = this.token;
    if (token === CANCELLED) return;
    this.token = CANCELLED;
    this.callback = null;
    this.args = NO_ARGS;
    this.arg = NO_ARGS;
    if (token !== -1) this.loop._cancelHandle(this, token);
  }

  /**
   * True once cancel() was called.
   *
   * @example
   * ```ts
   * h.cancel();
   * h.cancelled(); // true
   * ```
   */
  cancelled(): boolean {
    return this.token === CANCELLED;
  }

  /** @internal run by the loop when its token comes out of the ready queue. */
  _run(): void {
    const cb = this.callback as ((...args: unknown[]) => void) | null;
    if (cb === null) return; // cancelled
    this.token = -1;
    this.callback = null;
    try {
      if (this.args !== NO_ARGS) cb(...this.args);
      else if (this.arg !== NO_ARGS) cb(this.arg);
      else cb();
    } catch (exception) {
      this.loop.callExceptionHandler({
        message: `Exception in callback ${cb.name || "(anonymous)"}`,
        exception,
        handle: this,
      });
    }
  }
}

/**
 * A callback scheduled for a time (asyncio.TimerHandle).
 *
 * @example
 * ```ts
 * const h = loop.callLater(100, () => console.log("late"));
 * h.when(); // loop.time() + 100 at the time of the call
 * ```
 */
export class TimerHandle extends Handle {
  /** @internal the core's timer handle, -1 when there is none (never due, or disarmed) */
  timer = -1;

  /** @internal */
  constructor(
    loop: EventLoop,
    token: number,
    callback: (...args: never[]) => void,
    args: readonly unknown[],
    private readonly deadline: number,
  ) {
    super(loop, token, callback, args);
  }

  /** The loop time (ms) at which the callback is due. */
  when(): number {
    return this.deadline;
  }
}
