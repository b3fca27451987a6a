// Callback handles: what callSoon/callLater/callAt return. Each handle owns a core id, so a
// callback waits in the same FIFO ready queue (and the same timer heap) as task steps —
// which is what makes callSoon and task wake-ups run in one deterministic order.
//
// Cancelling releases the id: the queue entry or timer naming it goes stale and the core
// skips it, so cancel is O(1) for queued callbacks and O(log n) for timers.

import type { EventLoop } from "./loop.js";

const NO_ARGS: readonly unknown[] = Object.freeze([]);

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
  /** @internal core id while scheduled, -1 after it ran or was cancelled. */
  id: number;
  private isCancelled = false;

  /** @internal */
  constructor(
    protected readonly loop: EventLoop,
    id: number,
    private callback: ((...args: never[]) => void) | null,
    private args: readonly unknown[],
  ) {
    this.id = id;
    // The rest array of a call without arguments dies young instead of living as long as
    // the handle: with many timers pending, what survives a scavenge is what costs.
    if (args.length === 0) this.args = NO_ARGS;
  }

  /** Stops the callback from running; no effect once it ran. */
  cancel(): void {
    if (this.isCancelled) return;
    this.isCancelled = true;
    if (this.id >= 0) {
      this.loop._releaseHandle(this);
    }
    this.callback = null;
    this.args = NO_ARGS;
  }

  cancelled(): boolean {
    return this.isCancelled;
  }

  /** @internal run by the loop when the core hands out this handle's id. */
  _run(): void {
    const cb = this.callback as ((...args: unknown[]) => void) | null;
    this.loop._releaseHandle(this, true); // a timer that brought us here has fired
    this.callback = null;
    if (cb === null) return;
    try {
      if (this.args.length === 0) cb();
      else cb(...this.args);
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
  /** @internal core timer handle, -1 once fired or cancelled */
  timer = -1;

  /** @internal */
  constructor(
    loop: EventLoop,
    id: number,
    callback: (...args: never[]) => void,
    args: readonly unknown[],
    private readonly deadline: number,
  ) {
    super(loop, id, callback, args);
  }

  /** The loop time (ms) at which the callback is due. */
  when(): number {
    return this.deadline;
  }
}
