// Switch: the operation behind `yield* gr.switch(...)` and `yield* gr.throw(...)`.
//
// Each greenlet owns one Switch and reuses it. Life of a Switch (`state`):
//
//   IDLE ──gr.switch()──▶ ARMED ──yield*──▶ HOST ──control back in the owner──▶ IDLE
//                                   │         └──unwinds (the transfer goes down)──┐
//                                   └─(at MAX_DEPTH, or target down the stack)──▶ YIELDED
//                                                        YIELDED ──resumed──▶ IDLE
//
//  - HOST: the Switch runs the trampoline (trampoline.ts) right here, in its owner's frame:
//    it resumes the target, routes every switch the greenlets it runs make, hands kernel
//    instructions up its owner's `yield*` chain and the answers back down, until control
//    comes back to its owner;
//  - YIELDED: the Switch yielded itself, carrying its transfer, to the host below it (the
//    Switch running its owner), which routes it; when some greenlet switches back to the
//    owner, the host resumes the owner with next(v) (the switch returns v) or throw(e).
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
// under a host cannot leave it, since every yield of that greenlet passes the host, which
// disarms a Switch left ARMED. `yield gr.switch()` without the star, in a greenlet,
// reaches its host ARMED and is reported there; in the main greenlet it reaches the
// kernel, whose TypeError says to write `yield*`. One never stepped at all (no `yield*`)
// stays ARMED: the greenlet's next switch, kernel wait or return reports it.

import { currentTask } from "../kernel/event-loop.js";
import type { Instruction } from "../kernel/operation.js";
import { GreenletError } from "./errors.js";
import { ACTIVE, type Greenlet } from "./greenlet.js";
import { MAX_DEPTH, droppedBy, type Trampoline } from "./trampoline.js";

type Step = IteratorResult<Instruction | undefined, unknown>;

/** @internal Switch states (see the header). */
export const IDLE = 0;
/** @internal made by gr.switch()/gr.throw(), not yet stepped by yield* */
export const ARMED = 1;
/** @internal yielded to the host below, carrying its transfer; its owner is suspended */
export const YIELDED = 2;
/** @internal running the trampoline in its owner's frame: its owner is on the stack */
export const HOST = 3;

/** @internal A greenlet's reusable switch operation (see the header). */
export class Switch implements Iterator<Instruction | undefined, unknown, unknown> {
  state = IDLE;
  /** The task's trampoline. */
  readonly trampoline: Trampoline;
  /** The greenlet that owns it: the one that switches. */
  readonly owner: Greenlet;
  /** The transfer: to `target`, the switch's arguments or an error. */
  target: Greenlet | null = null;
  /** true: `value` is an error to raise in the target; false: the switch's arguments. */
  throwing = false;
  /** How many arguments: `value` is the only one (0 or 1), or an array of them (2+). */
  count = 0;
  value: unknown = undefined;
  /** While HOST: the greenlet it runs (whose kernel waits pass through here). */
  running: Greenlet | null = null;
  /** The greenlet being stepped, while its generator runs (see host()). */
  private stepping: Greenlet | null = null;
  /** The not-done step this Switch returns to yield itself (reused). */
  private readonly yielded: IteratorYieldResult<Instruction | undefined>;
  /** The done step it returns with the switch's result (reused). */
  private readonly finished: IteratorReturnResult<unknown> = { value: undefined, done: true };

  constructor(trampoline: Trampoline, owner: Greenlet) {
    this.trampoline = trampoline;
    this.owner = owner;
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
    const state = this.state;
    if (state === ARMED) return this.begin();
    if (state === YIELDED) {
      // Resumed by the host below: some greenlet switched back here with `sent`.
      this.state = IDLE;
      const r = this.finished;
      r.value = sent;
      return r;
    }
    // HOST: the kernel's answer for the greenlet this Switch runs, which waited.
    if (state === HOST) return this.host(this.running!, false, 0, sent, false);
    throw new GreenletError(
      "spindle: this switch has already run: make a new one, `yield* gr.switch(...)`",
    );
  }

  throw(error: unknown): Step {
    if (this.state === HOST) return this.host(this.running!, true, 0, error, false);
    this.state = IDLE;
    throw error;
  }

  return(value?: unknown): Step {
    if (this.state === HOST) this.trampoline.close(this);
    this.state = IDLE;
    return { value, done: true };
  }

  private begin(): Step {
    const t = this.trampoline;
    const target = this.target!;
    if (this.owner.isMain) {
      if (currentTask() !== t.task) {
        // Made in a main greenlet and handed to another task (createTask(gr.switch())).
        this.disarm();
        throw new GreenletError(
          `spindle: a switch to ${String(target)} was made in task ${t.task.name} and run ` +
            "in another task: run it where it is made, `yield* gr.switch(...)`",
        );
      }
    } else if ((target.op !== null && target.op.state === HOST) || t.depth >= MAX_DEPTH) {
      // Too deep to host, or the target is further down the stack (its switch hosts this
      // greenlet, say): yield to the host below, which routes it.
      this.state = YIELDED;
      return this.yielded;
    }
    this.state = HOST;
    t.depth++;
    const value = this.value;
    this.target = null;
    this.value = undefined;
    return this.host(target, this.throwing, this.count, value, true);
  }

  /**
   * The trampoline, run by this Switch (HOST) in its owner's frame. With `routing`, `g` is
   * the target of a transfer — a switch's arguments (throwing false: `count` of them,
   * `value` the only one or an array of them) or an exception (throwing true, `value` the
   * error); otherwise `g` is the greenlet this Switch runs, to step with (throwing, value).
   * Returns (or throws) what the owner's `yield*` gets: the done step with the value that
   * came back to the owner, or its exception; this Switch's YIELDED step when the transfer
   * must go to a greenlet further down the stack; or a kernel instruction's step, to pass
   * up (the Switch stays HOST, and its next()/throw() bring the answer back here).
   *
   * The loop (loop()) has no try/catch: an exception escaping a greenlet's step is caught
   * here, outside it, and that greenlet dies of it (measured: ~2 ns a switch faster than a
   * try around every step). `stepping` tells a greenlet's exception from the owner's.
   */
  private host(
    g: Greenlet,
    throwing: boolean,
    count: number,
    value: unknown,
    routing: boolean,
  ): Step {
    const t = this.trampoline;
    for (;;) {
      let r: Step | null | undefined;
      let failed = false;
      try {
        r = this.loop(g, throwing, count, value, routing);
      } catch (e) {
        if (this.stepping === null) throw e; // not from a greenlet's step: a fault in spindle
        r = undefined;
        failed = true;
        this.value = e;
      }
      if (r !== null && r !== undefined) return r;
      const outcome = this.value;
      this.value = undefined;
      // Control came back to the owner with an exception: its switch raises it.
      if (r === null) throw outcome;
      // The greenlet being stepped finished: it returned, or raised (failed).
      const dying = this.stepping!;
      this.stepping = null;
      g = t.death(dying, failed, outcome);
      throwing = t.sendThrow;
      count = t.sendCount;
      value = t.sendValue;
      t.sendValue = undefined;
      routing = true;
    }
  }

  /**
   * host()'s loop. Returns the step for the owner's `yield*`, or, with the value in
   * `this.value`: null for "raise it in the owner", undefined for "the greenlet being
   * stepped (`stepping`) returned it".
   */
  private loop(
    g: Greenlet,
    throwing: boolean,
    count: number,
    value: unknown,
    routing: boolean,
  ): Step | null | undefined {
    const t = this.trampoline;
    const owner = this.owner;
    for (;;) {
      if (routing) {
        if (g.state !== ACTIVE) {
          g = t.resolve(g, throwing, count, value);
          throwing = t.sendThrow;
          value = t.sendValue;
          t.sendValue = undefined;
        }
        if (g === owner) {
          // Control is back in the owner: its switch returns (or raises) here.
          this.running = null;
          this.state = IDLE;
          t.depth--;
          t.current = owner;
          if (throwing) {
            this.value = value;
            return null;
          }
          const r = this.finished;
          r.value = value;
          return r;
        }
        const op = g.op;
        if (op !== null && op.state === HOST) {
          // g is further down the stack: become the owner's YIELDED switch, carrying the
          // transfer, for the host below to route.
          this.running = null;
          t.depth--;
          this.state = YIELDED;
          this.target = g;
          this.throwing = throwing;
          this.count = 1;
          this.value = value;
          return this.yielded;
        }
        this.running = g;
        t.current = g;
      }
      this.stepping = g;
      const r = (throwing ? g.gen!.throw!(value) : g.gen!.next(value)) as Step;
      if (r.done === true) {
        this.value = r.value;
        return undefined;
      }
      this.stepping = null;
      const instr = r.value as unknown;
      const op = g.op;
      if (instr === op && op !== null && op.state === YIELDED) {
        // g switches (the Switch it yielded is its own): the hot path. (The Switch keeps
        // target and value until g's next switch: clearing them costs more than it frees.)
        throwing = op.throwing;
        count = op.count;
        value = op.value;
        g = op.target!;
        routing = true;
        continue;
      }
      const dropped = droppedBy(g, instr, false);
      if (dropped === null) return r; // a kernel instruction: up through the owner's yield*
      // `yield gr.switch()`, or a switch made and never run: say so in g.
      throwing = true;
      value = dropped;
      routing = false;
    }
  }
}
