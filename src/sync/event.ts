// Event: a flag tasks can wait for (asyncio.Event).
//
// HOW: `flag` plus a WaitQueue. set() raises the flag and wakes every parked waiter;
// waiters that arrive while the flag is up return at once. clear() only lowers the flag:
// tasks already woken stay woken (asyncio's semantics). A waiter cancelled after set() but
// before it ran meets CancelledError, as in asyncio; there is nothing to pass on.
//
// Invariant: flag set ⇒ no waiters. A waiter cancelled while parked leaves the queue
// through its undo.
//
// Cost: wait and clear O(1); set O(waiters).

import { NOT_YET, type Operation, type Waker } from "../kernel/operation.js";
import { WaitQueue, Waiting } from "./wait-queue.js";

/**
 * What Event.statistics() reports.
 *
 * @example
 * ```ts
 * const { tasksWaiting } = ready.statistics();
 * ```
 */
export interface EventStatistics {
  /** How many tasks are parked in wait(). */
  tasksWaiting: number;
}

/**
 * A flag that tasks can wait for (asyncio.Event): wait() returns once set() was called.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * createTask(function* () { yield* ready.wait(); console.log("go"); });
 * ready.set();
 * ```
 */
export class Event {
  private flag = false;
  /** @internal */ readonly waiters = new WaitQueue<Waker<boolean>>();

  /**
   * Waits until the flag is set (returns at once if it is); returns true.
   *
   * @example
   * ```ts
   * yield* ready.wait();
   * ```
   */
  wait(): Operation<boolean> {
    return new Wait(this);
  }

  /**
   * Sets the flag and wakes every waiting task.
   *
   * @example
   * ```ts
   * ready.set();
   * ```
   */
  set(): void {
    if (this.flag) return;
    this.flag = true;
    for (let node = this.waiters.shift(); node !== null; node = this.waiters.shift())
      node.value.resume(true);
  }

  /**
   * Lowers the flag: later wait() calls wait again until the next set().
   *
   * @example
   * ```ts
   * ready.clear();
   * ```
   */
  clear(): void {
    this.flag = false;
  }

  /**
   * True if the flag is set.
   *
   * @example
   * ```ts
   * if (!ready.isSet()) yield* ready.wait();
   * ```
   */
  isSet(): boolean {
    return this.flag;
  }

  /**
   * A snapshot for debugging and tests.
   *
   * @example
   * ```ts
   * ready.statistics(); // { tasksWaiting: 3 }
   * ```
   */
  statistics(): EventStatistics {
    return { tasksWaiting: this.waiters.size };
  }
}

/** `yield* event.wait()`: true now if the event is set, else a place among the waiters. */
class Wait extends Waiting<boolean> {
  constructor(private readonly event: Event) {
    super(event.waiters);
  }
  protected attempt(): boolean | typeof NOT_YET {
    return this.event.isSet() ? true : NOT_YET;
  }
  override describe(): string {
    return "Event.wait";
  }
}
