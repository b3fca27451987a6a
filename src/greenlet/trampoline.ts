// The trampoline: how greenlets switch inside one task (greenlet's per-thread state).
//
// Python's greenlet copies C stacks in and out to switch. JavaScript has one way to leave a
// frame and come back: a generator's `yield`. So each greenlet is a generator, and a switch
// is a generator that yields up its own `yield*` chain to a loop that resumes another
// generator: a trampoline. The task itself is the main greenlet, and the trampoline runs in
// its frame, inside its `yield* gr.switch()`:
//
//   kernel ─next/throw─▶ task's coroutine (main greenlet) ─yield*─▶ Switch (host)
//                                                                    │ drive():
//        ┌─────────────── gen.next(v) / gen.throw(e) ◀───────────────┤ resume `current`
//        ▼                                                           │
//   greenlet A ─yield*─▶ Switch(to B) ──yields itself──▶ route(B) ───┤ current = B, loop
//   greenlet B ─yield*─▶ sleep(10)    ──yields Sleep────▶ forwarded ─┴─▶ up to the kernel
//
// When a greenlet yields a Switch, drive() routes to its target and resumes it at once: no
// trip through the ready queue. When it yields anything else (a kernel instruction: a
// Sleep, a Suspend, a bare turn), drive() returns it, the host Switch hands it up main's
// `yield*` chain to the kernel, and the kernel's answer (a value, or a throw such as
// CancelledError) comes back down into the same greenlet. So greenlets use every spindle
// operation, and cancelling the task lands in whichever greenlet is running. When control
// goes back to the main greenlet (a switch to it, or a greenlet finishing with main as its
// parent), drive() returns, and main's `yield* gr.switch()` returns (or throws) that value.
//
// Invariants (per task):
//  - `current` is the greenlet whose code runs (or whose kernel wait the task is in);
//  - current === main ⇔ no trampoline is on the stack: main's own code is running;
//  - every other ACTIVE greenlet is parked on a Switch it yielded, so resuming it with
//    next(v)/throw(e) returns v/raises e from its `yield* x.switch()`;
//  - a NEW greenlet's parent chain is in this task, or unbound (bound on first switch).
//
// Cost: a switch between two greenlets is one generator resume, one suspension and a few
// field writes; the kernel is not involved.
//
// Greenlets that outlive their task. greenlet kills a suspended greenlet with GreenletExit
// when its last reference goes (refcounting), and, at a thread's end, marks the thread's
// greenlets dead without running them. JavaScript has no deterministic destruction (a
// FinalizationRegistry runs later, outside any task, and cannot hold a generator that
// refers to its own greenlet), so spindle does the thread's-end half: when the task ends,
// its suspended greenlets are dead (`dead` is true) and their finally blocks do not run.
// To run them, kill the greenlet explicitly: `yield* gr.throw()`.

import type { Task } from "../kernel/task.js";
import { isCoroutine, type Instruction } from "../kernel/operation.js";
import { InternalError, describe } from "../errors.js";
import { GreenletError, GreenletExit } from "./errors.js";
import { ACTIVE, DEAD, NEW, mainGreenlet, neverRun, type Greenlet } from "./greenlet.js";
import { ARMED, YIELDED } from "./switch.js";

type Step = IteratorResult<Instruction | undefined, unknown>;

/** One per task that uses greenlets: its main greenlet, the current one, the trampoline. */
export class Trampoline {
  /** The task itself, as a greenlet. */
  readonly main: Greenlet;
  /** The greenlet running now. */
  current: Greenlet;
  /** What route() decided to send `current`: a throw (sendValue is the error) or a value. */
  private sendThrow = false;
  private sendValue: unknown = undefined;

  constructor(readonly task: Task<unknown>) {
    this.main = mainGreenlet();
    this.main.trampoline = this;
    this.current = this.main;
  }

  /**
   * Transfers control to `target`, with a switch's arguments (throwing false: `count` of
   * them, `value` the only one or an array of them) or an exception (throwing true, `value`
   * the error). A dead target passes it on to its parent; a NEW target starts (or, thrown
   * into, dies without running). Sets `current` and what to send it.
   */
  route(target: Greenlet, throwing: boolean, count: number, value: unknown): void {
    for (;;) {
      if (target.state === DEAD) {
        // greenlet: a dead target passes the switch on to its parent, as if it had just
        // died of the exception thrown into it (a GreenletExit arrives as a value).
        if (throwing && value instanceof GreenletExit) {
          throwing = false;
          count = EXIT;
        }
        while (target.state === DEAD) target = target.parentRef ?? this.main;
      }
      if (target.state !== NEW) {
        if (target.trampoline !== this)
          throw new InternalError(`a switch was routed to ${String(target)} of another task`);
        this.current = target;
        this.sendThrow = throwing;
        this.sendValue = value;
        return;
      }
      if (target.parentRef === null) target.parentRef = this.main;
      if (throwing) {
        // greenlet: an exception thrown into an unstarted greenlet kills it unrun, and goes
        // to its parent (GreenletExit as a value).
        target.state = DEAD;
        target.fn = null;
        throwing = !(value instanceof GreenletExit);
        count = throwing ? 1 : EXIT;
        target = target.parentRef!;
        continue;
      }
      const failure = this.start(target, count, value);
      if (failure === NONE) {
        this.current = target;
        this.sendThrow = false;
        this.sendValue = undefined;
        return;
      }
      throwing = !(failure instanceof GreenletExit);
      count = throwing ? 1 : EXIT;
      value = failure;
      target = target.parentRef!;
    }
  }

  /**
   * Starts `g`: calls its function with the switch's arguments. Returns NONE, or what
   * calling it threw (a plain function's error, or the TypeError for a function that
   * returned no generator): then g is dead and its parent receives that.
   */
  private start(g: Greenlet, count: number, value: unknown): unknown {
    const fn = g.fn as ((...args: unknown[]) => unknown) | null;
    g.fn = null;
    g.state = ACTIVE;
    g.trampoline = this;
    try {
      if (fn === null) throw new TypeError(`spindle: ${String(g)} has no run function to start`);
      const gen = count === 0 ? fn() : count === 1 ? fn(value) : fn(...(value as unknown[]));
      if (!isCoroutine(gen))
        throw new TypeError(
          `spindle: a greenlet's function must be a generator function (function*): ` +
            `${fn.name || "(anonymous)"} returned ${describe(gen)}. JavaScript cannot switch ` +
            "out of a plain function, so a greenlet switches only from a generator, with " +
            "`yield* gr.switch(...)`",
        );
      g.gen = gen;
      return NONE;
    } catch (e) {
      g.state = DEAD;
      return e;
    }
  }

  /**
   * Runs greenlets, starting with `current`, sent (throwing, value), until control returns
   * to the main greenlet (returns main's value, or throws main's exception) or one of them
   * yields a kernel instruction (returned as a not-done step, for the host Switch to hand
   * up to the kernel).
   */
  drive(throwing: boolean, value: unknown): Step {
    let g = this.current;
    for (;;) {
      if (g.isMain) {
        if (throwing) throw value;
        return { value, done: true };
      }
      let r: Step;
      try {
        r = (throwing ? g.gen!.throw!(value) : g.gen!.next(value)) as Step;
      } catch (e) {
        this.finish(g, true, e);
        g = this.current;
        throwing = this.sendThrow;
        value = this.sendValue;
        this.sendValue = undefined;
        continue;
      }
      if (r.done !== true) {
        const instr = r.value as unknown;
        const op = g.op;
        if (instr === op && op !== null && op.state === YIELDED) {
          // g switches (the Switch it yielded is its own): the hot path, in line for a
          // started target of this task. (The Switch keeps target and value until g's next
          // switch: clearing them costs more than it frees.)
          const target = op.target!;
          throwing = op.throwing;
          value = op.value;
          if (target.state === ACTIVE && target.trampoline === this) {
            g = this.current = target;
            continue;
          }
          this.route(target, throwing, op.count, value);
        } else {
          const dropped = droppedBy(g, instr, false);
          if (dropped === null) return r; // a kernel instruction: up through main's yield*
          // `yield gr.switch()`, or a switch made and never run: say so in g.
          this.sendThrow = true;
          this.sendValue = dropped;
        }
      } else this.finish(g, false, r.value);
      g = this.current;
      throwing = this.sendThrow;
      value = this.sendValue;
      this.sendValue = undefined;
    }
  }

  /** A switch made in the main greenlet: route to its target, run the trampoline. */
  enter(target: Greenlet, throwing: boolean, count: number, value: unknown): Step {
    this.route(target, throwing, count, value);
    const v = this.sendValue;
    this.sendValue = undefined;
    return this.drive(this.sendThrow, v);
  }

  /** Main's frame is closed (return()) while `current` runs: close that greenlet too. */
  abandon(): void {
    const g = this.current;
    this.current = this.main;
    if (g.isMain) return;
    g.state = DEAD;
    const gen = g.gen!;
    g.gen = null;
    gen.return?.(undefined);
  }

  /** `g` returned (failed false) or raised: it dies, and its parent gets the outcome. */
  private finish(g: Greenlet, failed: boolean, outcome: unknown): void {
    g.state = DEAD;
    g.gen = null;
    let throwing = failed && !(outcome instanceof GreenletExit);
    const count = failed && !throwing ? EXIT : 1;
    const dropped = droppedBy(g, undefined, true);
    g.op = null;
    // It finished with a switch made and never run: its parent hears of it (unless it
    // hears of a failure already).
    if (dropped !== null && !throwing) {
      throwing = true;
      outcome = dropped;
    }
    this.route(g.parentRef ?? this.main, throwing, count, outcome);
  }
}

/**
 * The GreenletError for a switch `g` made and did not run, as g yields `instr` (a kernel
 * instruction) or finishes: `yield gr.switch()` without the star, or a `gr.switch()`
 * without `yield*` (either way g's Switch is still ARMED). Null when there is none.
 */
function droppedBy(g: Greenlet, instr: unknown, finishing: boolean): GreenletError | null {
  const op = g.op;
  if (op === null || op.state !== ARMED) return null;
  op.disarm();
  if (instr === op && !finishing)
    return new GreenletError(
      "spindle: `yield gr.switch(...)` hands the switch over without running it: " +
        "write `yield* gr.switch(...)`, with the star",
    );
  return new GreenletError(
    neverRun(finishing ? "before its greenlet finished" : "before a wait on the event loop"),
  );
}

/**
 * The `count` of a GreenletExit delivered as a value (a greenlet killed, or dying of one):
 * a suspended receiver's switch returns the exception, but an unstarted receiver starts
 * with no arguments. That is what greenlet 2.0 does (the value is not packed as a one-value
 * tuple: test/reference/greenlet/scripts.txt has such starts); 0 arguments, with the value
 * kept for a resumption, is exactly it.
 */
const EXIT = 0;

/** start()'s "no failure". */
const NONE: unique symbol = Symbol("spindle.none");

/** Each task's trampoline, kept as long as the task is. */
const trampolines = new WeakMap<Task<unknown>, Trampoline>();

/** The trampoline of `task`, made (with its main greenlet) on first use. */
export function trampolineOf(task: Task<unknown>): Trampoline {
  let t = trampolines.get(task);
  if (t === undefined) {
    t = new Trampoline(task);
    trampolines.set(task, t);
  }
  return t;
}
