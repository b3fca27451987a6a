// The trampoline: how greenlets switch inside one task (greenlet's per-thread state).
//
// Python's greenlet copies C stacks in and out to switch. JavaScript has one way to leave a
// frame and come back: a generator's `yield`. So each greenlet is a generator, and a switch
// runs a loop — a trampoline — that resumes other greenlets' generators, in the frame of
// the greenlet that switched. The task itself is the main greenlet: its first
// `yield* gr.switch()` hosts the trampoline, and so may any greenlet's switch:
//
//   kernel ─▶ task's coroutine (main) ─yield*─▶ main's Switch hosts: A.gen.next(v)
//                                                  │
//             greenlet A ─yield*─▶ A's Switch hosts: B.gen.next(v)    (A is on the stack)
//                                                  │
//             greenlet B ─yield*─▶ B's Switch ─────┘ yields itself: "to A", "to main"…
//             greenlet B ─yield*─▶ sleep(10)  ─────┘ yields a Sleep: passed up, host by
//                                                    host, to main's frame and the kernel
//
// A hosting Switch (HOST, switch.ts: Switch.host) resumes its target in its owner's frame;
// when that greenlet switches, its own Switch yields itself back to the loop, which routes
// to the next target, and so on, until control comes back to the owner (the switch returns
// the value, or raises), or must go to a greenlet further down the stack (the Switch then
// unwinds: it becomes an ordinary YIELDED switch of its owner carrying the transfer, and
// the host below routes it), or a greenlet waits on the kernel (the instruction goes up,
// one host at a time, and the kernel's answer comes back down to it: cancelling the task
// lands in it). No switch goes through the ready queue. This module keeps the per-task
// state and the cold paths: where a transfer lands (dead and unstarted targets), starts,
// deaths, and closing.
//
// WHY every switch may host, not only main's (the plain trampoline the design started
// from): two greenlets ping-ponging then cost one generator resumption per round trip
// instead of two — A hosts B, B's switch back to A yields to A's loop, and A's `yield*`
// returns without A's generator ever suspending. Measured on this machine (Node 20, 400k
// hand-offs, the best of 35 runs, against the raw limit of two generators driven by a
// `while` loop): hosting in main only, 0.37–0.38× the raw rate; every switch hosting,
// 0.47–0.48×. (A stripped prototype of the same loop, without the checks and the state
// that keep greenlet's semantics, reached 0.7×: that is what they cost.) The price is
// depth: a ring of greenlets, each hosting the next, nests; at MAX_DEPTH hosts a switch
// yields to its host instead, as with main-only hosting.
//
// Invariants (per task):
//  - `current` is the greenlet whose code runs (or whose kernel wait the task is in);
//  - a greenlet is on the stack ⇔ its Switch is HOST; main is on the stack unless current;
//  - every other ACTIVE greenlet is parked on its YIELDED Switch, so resuming it with
//    next(v)/throw(e) returns v/raises e from its `yield* x.switch()`;
//  - `depth` counts the HOST Switches; a NEW greenlet's parent chain is in this task, or
//    unbound (bound on its first switch).
//
// Greenlets that outlive their task. greenlet kills a suspended greenlet with GreenletExit
// when its last reference goes (refcounting), and, at a thread's end, marks the thread's
// greenlets dead without running them. JavaScript has no deterministic destruction (a
// FinalizationRegistry runs later, outside any task, and cannot hold a generator that
// refers to its own greenlet), so spindle does the thread's-end half: when the task ends,
// its suspended greenlets are dead (`dead` is true) and their finally blocks do not run.
// To run them, kill the greenlet explicitly: `yield* gr.throw()`.

import type { Task } from "../kernel/task.js";
import { isCoroutine } from "../kernel/operation.js";
import { InternalError, describe } from "../errors.js";
import { GreenletError, GreenletExit } from "./errors.js";
import { ACTIVE, DEAD, NEW, mainGreenlet, neverRun, type Greenlet } from "./greenlet.js";
import { ARMED, type Switch } from "./switch.js";

/**
 * Most Switches hosting at once in a task, main's included. Picked out of thin air, with
 * room to spare both ways: ping-pong needs 2, a ring of n greenlets n; each level costs a
 * few hundred bytes of native stack, and a user's own recursion shares that stack.
 */
export const MAX_DEPTH = 32;

/** One per task that uses greenlets: its main greenlet, the current one, the trampoline. */
export class Trampoline {
  /** The task itself, as a greenlet. */
  readonly main: Greenlet;
  /** The greenlet running now. */
  current: Greenlet;
  /** Switches hosting (HOST) now. */
  depth = 0;
  /**
   * What resolve() and death() decided to send the greenlet they return: a throw
   * (sendValue the error) or a value, and for death() how many arguments (sendCount).
   */
  sendThrow = false;
  sendCount = 0;
  sendValue: unknown = undefined;

  constructor(readonly task: Task<unknown>) {
    this.main = mainGreenlet();
    this.main.trampoline = this;
    this.current = this.main;
  }

  /**
   * Where a transfer to `target` lands: a dead target passes it on to its parent; a NEW one
   * starts (or, thrown into, dies without running, passing it on). Returns the ACTIVE
   * greenlet that takes it, with what to send it in sendThrow/sendValue.
   */
  resolve(target: Greenlet, throwing: boolean, count: number, value: unknown): Greenlet {
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
        // Parents are checked when set, switches when made: a transfer stays in its task.
        if (target.trampoline !== this)
          throw new InternalError(`a switch was routed to ${String(target)} of another task`);
        this.sendThrow = throwing;
        this.sendValue = value;
        return target;
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
        this.sendThrow = false;
        this.sendValue = undefined;
        return target;
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
   * `host`'s owner is closed (its generator's return(), with the switch pending): close
   * the greenlet it runs too, which closes the one that greenlet hosts, and so on down.
   * Their finally blocks run (deepest first); they cannot switch or wait any more.
   */
  close(host: Switch): void {
    const g = host.running;
    host.running = null;
    this.depth--;
    try {
      if (g !== null && g.gen !== null) {
        g.state = DEAD;
        const gen = g.gen;
        g.gen = null;
        g.op = null;
        gen.return?.(undefined);
      }
    } finally {
      // After the hosts above, which set it to their own owners on their way out.
      this.current = host.owner;
    }
  }

  /**
   * `g` returned (failed false) or raised: it dies. Returns its parent, which the outcome
   * goes to (in sendThrow/sendCount/sendValue): the return value (a one-value switch), a
   * GreenletExit as a value, or the exception.
   */
  death(g: Greenlet, failed: boolean, outcome: unknown): Greenlet {
    g.state = DEAD;
    g.gen = null;
    let throwing = failed && !(outcome instanceof GreenletExit);
    this.sendCount = failed && !throwing ? EXIT : 1;
    const dropped = droppedBy(g, undefined, true);
    g.op = null;
    // It finished with a switch made and never run: its parent hears of it (unless it
    // hears of a failure already).
    if (dropped !== null && !throwing) {
      throwing = true;
      outcome = dropped;
    }
    this.sendThrow = throwing;
    this.sendValue = outcome;
    return g.parentRef ?? this.main;
  }
}

/**
 * The GreenletError for a switch `g` made and did not run, as g yields `instr` (a kernel
 * instruction) or finishes: `yield gr.switch()` without the star, or a `gr.switch()`
 * without `yield*` (either way g's Switch is still ARMED). Null when there is none.
 */
export function droppedBy(g: Greenlet, instr: unknown, finishing: boolean): GreenletError | null {
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
