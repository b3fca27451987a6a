// Switch: the operation behind `yield* gr.switch(...)` and `yield* gr.throw(...)`.
//
// One object, two roles, chosen when `yield*` first steps it (begin):
//  - in the main greenlet (no trampoline on the stack) it becomes the host: it routes to its
//    target and runs the trampoline (trampoline.ts) right here, in main's frame, handing
//    every kernel instruction the greenlets yield up to the kernel and the kernel's answers
//    back down, until control returns to main;
//  - in any other greenlet (a trampoline is on the stack, below it) it yields itself: the
//    trampoline reads its target and payload, switches, and, when some greenlet switches
//    back here, resumes this greenlet with next(v) (the switch returns v) or throw(e).
//
// Life of a Switch (`state`):
//
//   IDLE ──gr.switch()──▶ ARMED ──yield* (in main)──▶ HOST ──control back in main──▶ IDLE
//                           └────yield* (elsewhere)──▶ YIELDED ──resumed──▶ IDLE
//
// Reuse. A greenlet has at most one switch in flight: while its Switch is YIELDED or HOST
// the greenlet is not running, so it cannot make another. So each greenlet keeps one Switch
// (and the two iterator results it returns) and reuses it: a switch allocates nothing.
// (Measured in a minimal trampoline on Node 20: a new operation and two result objects per
// switch, ~38 ns a switch; reused, ~27 ns.) An ARMED Switch that is armed again was never
// run — a missing `yield*` — and is reported, not reused.
//
// Why it is not a kernel Suspend: a started Switch never reaches the kernel. gr.switch()
// checks the calling task; a Switch made in a main greenlet checks it again when it starts
// (one handed to another task, createTask(gr.switch()), is refused); one made by a greenlet
// under the trampoline cannot leave it, since every yield of that greenlet passes the
// trampoline, which disarms a Switch left ARMED. `yield gr.switch()` without the star, in
// a greenlet, reaches the trampoline ARMED and is reported there; in the main greenlet it
// reaches the kernel, whose TypeError says to write `yield*`. One never stepped at all (no
// `yield*`) stays ARMED: the greenlet's next switch, kernel wait or return reports it.

import { currentTask } from "../kernel/event-loop.js";
import type { Instruction } from "../kernel/operation.js";
import { GreenletError } from "./errors.js";
import type { Greenlet } from "./greenlet.js";
import type { Trampoline } from "./trampoline.js";

type Step = IteratorResult<Instruction | undefined, unknown>;

/** @internal Switch states. */
export const IDLE = 0;
/** @internal made by gr.switch()/gr.throw(), not yet stepped by yield* */
export const ARMED = 1;
/** @internal yielded to the trampoline by a non-main greenlet, waiting to be resumed */
export const YIELDED = 2;
/** @internal running the trampoline in the main greenlet */
const HOST = 3;

/** @internal A greenlet's reusable switch operation (see the header). */
export class Switch implements Iterator<Instruction | undefined, unknown, unknown> {
  state = IDLE;
  /** The task's trampoline. */
  readonly trampoline: Trampoline;
  target: Greenlet | null = null;
  /** true: `value` is an error to raise in the target; false: the switch's arguments. */
  throwing = false;
  /** How many arguments: `value` is the only one (0 or 1), or an array of them (2+). */
  count = 0;
  value: unknown = undefined;
  /** The not-done step this Switch returns to yield itself (reused). */
  private readonly yielded: IteratorYieldResult<Instruction | undefined>;
  /** The done step it returns with the switch's result (reused). */
  private readonly finished: IteratorReturnResult<unknown> = { value: undefined, done: true };

  constructor(trampoline: Trampoline) {
    this.trampoline = trampoline;
    this.yielded = { value: this as unknown as Instruction, done: false };
  }

  /** Arms the Switch for one use: to `target`, with a switch's arguments or an error. */
  arm(target: Greenlet, throwing: boolean, count: number, value: unknown): this {
    this.state = ARMED;
    this.target = target;
    this.throwing = throwing;
    this.count = count;
    this.value = value;
    return this;
  }

  /** Back to IDLE without running (a dropped switch, reported by the caller). */
  disarm(): void {
    this.state = IDLE;
    this.target = null;
    this.value = undefined;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(sent?: unknown): Step {
    switch (this.state) {
      case YIELDED: {
        // Resumed by the trampoline: some greenlet switched back here with `sent`.
        this.state = IDLE;
        const r = this.finished;
        r.value = sent;
        return r;
      }
      case HOST:
        return this.host(null, false, sent);
      case ARMED:
        return this.begin();
      default:
        throw new GreenletError(
          "spindle: this switch has already run: make a new one, `yield* gr.switch(...)`",
        );
    }
  }

  throw(error: unknown): Step {
    if (this.state === HOST) return this.host(null, true, error);
    this.state = IDLE;
    throw error;
  }

  return(value?: unknown): Step {
    if (this.state === HOST) this.trampoline.abandon();
    this.state = IDLE;
    return { value, done: true };
  }

  private begin(): Step {
    const t = this.trampoline;
    if (t.current !== t.main) {
      // Made by a greenlet under the trampoline, and run by it: it could not have reached
      // another task meanwhile (the greenlet's every yield passes the trampoline, which
      // disarms a Switch left ARMED). The trampoline below reads target and payload.
      this.state = YIELDED;
      return this.yielded;
    }
    if (currentTask() !== t.task) {
      // Made in a main greenlet and handed to another task (createTask(gr.switch())).
      this.disarm();
      throw new GreenletError(
        `spindle: a switch to ${String(this.target)} was made in task ${t.task.name} and ` +
          "run in another task: run it where it is made, `yield* gr.switch(...)`",
      );
    }
    this.state = HOST;
    const target = this.target!;
    const value = this.value;
    this.target = null;
    this.value = undefined;
    return this.host(target, this.throwing, value);
  }

  /**
   * Runs the trampoline (in the main greenlet) until control is back in main (done, or
   * main's exception thrown) or a greenlet waits on the kernel (not done: yielded up).
   * With a `target`: the switch starts, to it; without: (throwing, value) is the kernel's
   * answer for the greenlet that waited.
   */
  private host(target: Greenlet | null, throwing: boolean, value: unknown): Step {
    const t = this.trampoline;
    try {
      const r =
        target === null ? t.drive(throwing, value) : t.enter(target, throwing, this.count, value);
      if (r.done === true) this.state = IDLE;
      return r;
    } catch (e) {
      this.state = IDLE;
      throw e;
    }
  }
}
