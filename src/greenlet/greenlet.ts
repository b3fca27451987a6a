// Greenlet: a generator that switches control directly to another one (greenlet.greenlet).
//
// A greenlet is a small state machine (one field, `state`):
//
//   NEW ──first switch: run(...args)──▶ ACTIVE ──returns / raises──▶ DEAD
//    └────────── throw(): dies without running its body ──────────────┘
//
// ACTIVE covers "running" (it is its trampoline's `current`), "hosting" (its switch runs
// other greenlets in its frame, see trampoline.ts) and "suspended" (its generator is parked
// on the Switch it yielded, see switch.ts). A main greenlet is ACTIVE from birth and has no
// generator: it is the task's own frame.
//
// Which task a greenlet belongs to (greenlet's "thread"): a main greenlet's and a started
// one's is fixed (`trampoline`); an unstarted one follows its parent, as greenlet's does,
// and a greenlet made outside any task (no parent yet) is bound to the first task that
// switches to it, with that task's main greenlet as its parent.
//
// Of Python's greenlet attributes (`run`, `parent`, `dead`, `gr_frame`, `gr_context`),
// spindle keeps `run`, `parent`, `dead`, and `active` for Python's `bool(g)`. A generator's frame cannot be
// inspected from JavaScript, so there is no `gr_frame`; context variables have no JS
// counterpart for generators (AsyncLocalStorage follows Promises), so no `gr_context`.

import { describe } from "../errors.js";
import type { Coroutine, Operation } from "../kernel/operation.js";
import { currentTask } from "../kernel/event-loop.js";
import { GreenletError, GreenletExit, InvalidParentError } from "./errors.js";
import { ARMED, IDLE, Switch } from "./switch.js";
import { Trampoline, trampolineOf } from "./trampoline.js";

/**
 * What a greenlet runs: a generator function. Its arguments are those of the first switch
 * to the greenlet; its return value goes to the greenlet's parent.
 */
export type GreenletFunction = (...args: never[]) => Iterator<unknown, unknown, unknown>;

/** @internal greenlet states */
export const NEW = 0;
/** @internal */
export const ACTIVE = 1;
/** @internal */
export const DEAD = 2;

/** Makes a main greenlet: only trampoline.ts has it (users cannot make one). */
const MAIN: unique symbol = Symbol("spindle.mainGreenlet");

/**
 * A greenlet (Python's greenlet.greenlet): a generator function that runs when first
 * switched to, and from then on hands control to other greenlets directly with
 * `yield* other.switch(...)`, values passing both ways. When it returns, its return value
 * goes to its parent; an exception escaping it is raised in its parent.
 *
 * All greenlets of a task take turns inside that task (the task itself is the main
 * greenlet): a switch is a direct transfer, not a trip through the event loop, and a
 * greenlet may use every spindle operation (`yield* sleep(10)`, `yield* queue.get()`),
 * which suspends the whole task until it returns.
 *
 * @example
 * ```ts
 * await run(function* () {
 *   const echo = greenlet(function* (first: string) {
 *     let v: unknown = first;
 *     for (;;) v = yield* getcurrent().parent!.switch(`echo ${String(v)}`);
 *   });
 *   console.log(yield* echo.switch("a")); // "echo a"
 *   console.log(yield* echo.switch("b")); // "echo b"
 * });
 * ```
 */
export class Greenlet {
  // Every field is assigned in the constructor, in one order, on both paths (main and
  // not): all greenlets share one hidden class, so the trampoline's loads stay monomorphic.
  /** @internal NEW, ACTIVE or DEAD */
  state: number;
  /** @internal true for a task's main greenlet */
  readonly isMain: boolean;
  /** @internal the function, until the greenlet starts */
  fn: GreenletFunction | null;
  /** @internal the running generator, while ACTIVE (null for a main greenlet) */
  gen: Coroutine | null;
  /** @internal the task's trampoline: set for a main or started greenlet */
  trampoline: Trampoline | null;
  /** @internal null only for a main greenlet, and for one made outside any task */
  parentRef: Greenlet | null;
  /** @internal this greenlet's reusable switch operation (switch.ts), made on first use */
  op: Switch | null;
  /** @internal the function's name, for toString() */
  label: string;

  /**
   * A greenlet that will run `run` (a generator function) when first switched to. `parent`
   * defaults to the current greenlet (outside a task: the main greenlet of the task that
   * first switches to it).
   *
   * @example
   * ```ts
   * const gr = new Greenlet(function* (name: string) { console.log(`hello ${name}`); });
   * yield* gr.switch("world");
   * ```
   */
  constructor(run?: GreenletFunction | null, parent?: Greenlet | null) {
    const main = (run as unknown) === MAIN;
    this.state = main ? ACTIVE : NEW;
    this.isMain = main;
    this.fn = main ? null : checkRun(run ?? null);
    this.gen = null;
    this.trampoline = null;
    this.parentRef = null;
    this.op = null;
    this.label = main ? "main" : nameOf(this.fn);
    if (main) return;
    if (parent === undefined || parent === null) {
      const task = currentTask();
      if (task !== null) this.parentRef = trampolineOf(task).current;
    } else this.parent = parent; // the setter's checks
  }

  /**
   * Switches to this greenlet, passing `args`; returns what the next switch back passes.
   * The first switch starts the greenlet with `run(...args)`. Later, the greenlet's own
   * pending `switch` returns them: one value as is, several as an array, none as undefined
   * (Python passes a tuple; keyword arguments have no JS form: pass an object). A dead
   * greenlet passes the switch on to its parent (usually: returns `args` at once). Must
   * run under `yield*`: JavaScript cannot switch out of a plain function.
   *
   * @example
   * ```ts
   * const reply = yield* gr.switch("ping"); // gr runs until it switches back
   * ```
   */
  switch<T = unknown>(...args: unknown[]): Operation<T>;
  switch(first?: unknown): Operation<unknown> {
    // `first` and `arguments` rather than a rest parameter: a switch with one value (the
    // usual case) then allocates no array.
    const count = arguments.length;
    // eslint-disable-next-line prefer-rest-params
    const value = count <= 1 ? first : [...arguments];
    // The common case in line: a started greenlet of the running task, switched to by a
    // greenlet whose Switch is free. Everything else goes through the checks below.
    const t = this.trampoline;
    if (t !== null && t.task === currentTask()) {
      const op = t.current.op;
      if (op !== null && op.state === IDLE) return op.arm(this, false, count, value);
    }
    return switchOf(callerTrampoline(this, "switch"), "switch").arm(this, false, count, value);
  }

  /**
   * Raises `error` inside this greenlet (default: a new GreenletExit, which kills it
   * quietly) and switches to it; returns what the next switch back passes. A greenlet
   * that never started dies without running; its parent receives the exception (a
   * GreenletExit as a value). An Error class is instantiated, as greenlet does.
   *
   * @example
   * ```ts
   * yield* worker.throw();            // kill it: its finally blocks run
   * yield* worker.throw(new Error("stop that")); // raised at its pending switch
   * ```
   */
  throw<T = unknown>(error?: unknown): Operation<T> {
    const t = callerTrampoline(this, "throw");
    const e = error === undefined ? new GreenletExit() : instantiate(error);
    return switchOf(t, "throw").arm(this, true, 1, e) as Operation<T>;
  }

  /**
   * True once the greenlet finished (returned, raised, or was thrown into before it
   * started), and for the greenlets of a task that has finished (greenlet's greenlets of
   * a dead thread). Never-started greenlets are not dead.
   *
   * @example
   * ```ts
   * yield* gr.switch();
   * if (!gr.dead) yield* gr.throw();
   * ```
   */
  get dead(): boolean {
    if (this.state === DEAD) return true;
    return this.state === ACTIVE && this.trampoline !== null && this.trampoline.task.done();
  }

  /**
   * Python's `bool(g)`: started and not dead (running or suspended).
   *
   * @example
   * ```ts
   * for (const g of workers) if (g.active) yield* g.throw();
   * ```
   */
  get active(): boolean {
    return this.state === ACTIVE && !this.dead;
  }

  /**
   * The greenlet that receives control (and the return value, or the exception) when this
   * one finishes; null for a main greenlet, and for a greenlet made outside any task until
   * it is bound to one. Writable: the new parent must be a greenlet of the same task, and
   * the chain must not loop (InvalidParentError).
   *
   * @example
   * ```ts
   * child.parent = supervisor; // child's result now goes to supervisor
   * ```
   */
  get parent(): Greenlet | null {
    return this.parentRef;
  }
  set parent(parent: Greenlet) {
    if (!(parent instanceof Greenlet))
      throw new TypeError(
        `spindle: a greenlet's parent must be a Greenlet, not ${describe(parent)}`,
      );
    if (this.isMain) throw new InvalidParentError("cannot set the parent of a main greenlet");
    for (let p: Greenlet | null = parent; p !== null; p = p.parentRef)
      if (p === this) throw new InvalidParentError("cyclic parent chain");
    const mine = this.trampoline;
    if (mine !== null) {
      const theirs = taskOf(parent);
      if (theirs === null) bindRoot(parent, mine);
      else if (theirs !== mine)
        throw new InvalidParentError(
          `parent cannot be in a different task: ${String(this)} runs in task ` +
            `${mine.task.name}, ${String(parent)} in task ${theirs.task.name}`,
        );
    }
    this.parentRef = parent;
  }

  /**
   * The function the greenlet will run, until it starts (then undefined, as Python's
   * attribute disappears). Settable before the start only.
   *
   * @example
   * ```ts
   * const gr = new Greenlet();
   * gr.run = function* () { return 42; };
   * ```
   */
  get run(): GreenletFunction | undefined {
    return this.fn ?? undefined;
  }
  set run(fn: GreenletFunction) {
    if (this.state !== NEW || this.isMain)
      throw new TypeError("spindle: run cannot be set after the start of the greenlet");
    this.fn = checkRun(fn);
    this.label = nameOf(this.fn);
  }

  /** `<Greenlet eat suspended>`, `<Greenlet main of task main running>`. */
  toString(): string {
    const t = this.trampoline;
    const name = this.isMain ? `main of task ${t!.task.name}` : this.label;
    let s: string;
    if (this.dead) s = "dead";
    else if (this.state === NEW) s = "unstarted";
    else s = t!.current === this ? "running" : "suspended";
    return `<Greenlet ${name} ${s}>`;
  }
}

/** @internal A new main greenlet (for trampoline.ts). */
export function mainGreenlet(): Greenlet {
  return new Greenlet(MAIN as unknown as GreenletFunction);
}

/**
 * A new greenlet that will run `run` (Python's `greenlet(run, parent)`).
 *
 * @example
 * ```ts
 * await run(function* () {
 *   const gr = greenlet(function* (x: number) {
 *     const y = yield* getcurrent().parent!.switch<number>(x + 1); // back to main with x + 1
 *     return y * 2;                                                // to the parent: main
 *   });
 *   const a = yield* gr.switch(1);  // 2
 *   const b = yield* gr.switch(10); // 20: gr returned
 * });
 * ```
 */
export function greenlet(run: GreenletFunction, parent?: Greenlet | null): Greenlet {
  return new Greenlet(run, parent);
}

/**
 * The greenlet running now: the current task's main greenlet, unless a greenlet switched
 * to runs inside it. Needs a running task.
 *
 * @example
 * ```ts
 * await run(function* () {
 *   const main = getcurrent();
 *   yield* greenlet(function* () { console.log(getcurrent().parent === main); }).switch(); // true
 * });
 * ```
 */
export function getcurrent(): Greenlet {
  const task = currentTask();
  if (task === null)
    throw new GreenletError(
      "spindle: getcurrent() needs a running task: greenlets live inside a task " +
        "(call it inside run(function* () { ... }) or a task's coroutine)",
    );
  return trampolineOf(task).current;
}

// ── helpers ─────────────────────────────────────────────────────────────────────────

function nameOf(fn: GreenletFunction | null): string {
  return (fn === null ? "" : fn.name) || "(anonymous)";
}

/**
 * The Switch of the greenlet running in `t` (the one that calls switch/throw): its own,
 * reused; a new one if it is busy (a stale Switch kept and run again by hand).
 */
function switchOf(t: Trampoline, what: string): Switch {
  const from = t.current;
  const op = from.op;
  if (op !== null) {
    if (op.state === IDLE) return op;
    if (op.state === ARMED) {
      // Armed and never stepped: the last switch this greenlet made had no `yield*`.
      op.disarm();
      throw new GreenletError(neverRun(`before this ${what}()`));
    }
  }
  return (from.op = new Switch(t, from));
}

function checkRun(fn: GreenletFunction | null): GreenletFunction | null {
  if (fn !== null && typeof fn !== "function")
    throw new TypeError(`spindle: a greenlet runs a generator function, not ${describe(fn)}`);
  return fn;
}

/** An Error class given to throw() is instantiated, as greenlet does with a type. */
function instantiate(error: unknown): unknown {
  if (typeof error === "function" && (error === Error || error.prototype instanceof Error))
    return new (error as new () => Error)();
  return error;
}

/** The trampoline `g` belongs to (its own, or its nearest started ancestor's), or null. */
function taskOf(g: Greenlet): Trampoline | null {
  for (let p: Greenlet | null = g; p !== null; p = p.parentRef)
    if (p.trampoline !== null) return p.trampoline;
  return null;
}

/** Binds an unbound greenlet chain to `t`: its root's parent becomes t's main greenlet. */
function bindRoot(g: Greenlet, t: Trampoline): void {
  let root = g;
  while (root.parentRef !== null) root = root.parentRef;
  if (root !== t.main) root.parentRef = t.main;
}

/**
 * The trampoline of the task that calls switch/throw on `target`, after the checks: a
 * running task, the same task as the target's (binding a target made outside any task).
 */
function callerTrampoline(target: Greenlet, what: string): Trampoline {
  const task = currentTask();
  let t = target.trampoline ?? taskOf(target);
  if (t === null || t.task !== task) {
    if (task === null)
      throw new GreenletError(
        `spindle: ${String(target)}.${what}() needs a running task: greenlets switch ` +
          "inside a task (run(function* () { yield* gr.switch(); }))",
      );
    if (t === null) {
      t = trampolineOf(task);
      bindRoot(target, t);
    } else throw foreign(target, t, task.name, task.loop !== t.task.loop);
  }
  return t;
}

function foreign(target: Greenlet, t: Trampoline, caller: string, otherLoop: boolean): Error {
  const owner = t.task.done()
    ? `task ${t.task.name}, which has finished`
    : `task ${t.task.name}${otherLoop ? " on another event loop" : ""}`;
  return new GreenletError(
    `spindle: cannot switch to a greenlet of another task (greenlet's "cannot switch to a ` +
      `different thread"): ${String(target)} belongs to ${owner}; the caller is task ${caller}`,
  );
}

/**
 * The message for a switch that was made and never run (no `yield*` in front of it),
 * noticed `when` ("before this switch()").
 */
export function neverRun(when: string): string {
  return (
    `spindle: a gr.switch() or gr.throw() was made and never run (noticed ${when}): it ` +
    "needs `yield*` in front of it (`yield* gr.switch(...)`). " +
    "JavaScript cannot switch out of a plain function: a greenlet switches only where its " +
    "generator delegates with yield*, so a greenlet function must be a function* and every " +
    "switch must be written `yield* gr.switch(...)`"
  );
}
