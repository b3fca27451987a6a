// gevent's Greenlet: a function run as a spindle task, with gevent's outcome rules. The
// task runs a small wrapper that catches everything the function raises: a GreenletExit
// (what kill() raises by default) makes a *successful* greenlet whose value is that
// GreenletExit; any other error is stored in `exception`, reported to the loop's
// exception handler ("... failed with ValueError", gevent prints it the same way), and
// does not fail the task. So nothing is ever "never retrieved": gevent's model.
//
// Life: new → scheduled (start: the task is created and ready; startLater: a timer
// creates it) → running → dead. A kill before the wrapper first ran marks it dead at
// once; the wrapper, when its turn comes, sees that and returns without calling the
// function (gevent: "killing it will prevent it from ever being switched to").

import { CancelledError, describe as describeValue } from "../errors.js";
import { currentTask } from "../kernel/event-loop.js";
import { asOperation, type CoroutineLike, type EventLoop } from "../kernel/loop.js";
import type { Handle } from "../kernel/handle.js";
import type { Task } from "../kernel/task.js";
import { suspend, type Instruction, type Operation, type Waker } from "../kernel/operation.js";
import { GreenletExit } from "../greenlet/errors.js";
import { getcurrent as rawGetcurrent, type Greenlet as RawGreenlet } from "../greenlet/greenlet.js";
import { Linkable, checkTimeout, done, hubLoop, userLink, type RawLink } from "./linkable.js";
import { Timeout } from "./timeout.js";

/** What a greenlet may run: a generator function, an async function, or a plain one. */
export type GreenletFn<A extends unknown[], T> = (
  ...args: A
) => Iterator<unknown, T, unknown> | IterableOp<T> | PromiseLike<T> | T;

/** An operation (what spindle's functions return): iterable, not yet an iterator. */
export interface IterableOp<T> {
  [Symbol.iterator](): Iterator<unknown, T, unknown>;
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as new () => unknown;

const NEW = 0;
const SCHEDULED = 1;
const RUNNING = 2;
const DEAD = 3;

/**
 * The gevent Greenlet of each running task spawned by gevent; an entry lives from the
 * task's creation to its end. (A Map, not a WeakMap: ephemerons cost the
 * garbage collector several times more, measured at 20k greenlets.)
 */
const byTask = new Map<Task<unknown>, Greenlet<unknown>>();
let counter = 0;

function forget(task: Task<void>): void {
  byTask.delete(task as Task<unknown>);
}

/** kill()'s options. */
export interface KillOptions {
  /** Wait until the greenlet is dead (default true): only when `yield*`ed. */
  block?: boolean;
  /** With block: wait at most this many ms. */
  timeout?: number | null;
}

/**
 * gevent's Greenlet: `fn(...args)` run as a task of its own. `spawn` makes and starts
 * one; `new Greenlet(fn, ...args)` makes one to `start()` or `startLater(ms)` yourself.
 *
 * Blocking methods are operations (`yield* g.join()`, `yield* g.get()`); `kill()` acts
 * when called, and `yield* g.kill()` also waits for the death, as gevent's default
 * `block=True`.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * // in a task (inside run(...)):
 * const g = gevent.spawn(function* (name: string) {
 *   yield* gevent.sleep(10);
 *   return name.toUpperCase();
 * }, "egon");
 * yield* g.join();
 * console.log(g.value, g.successful()); // EGON true
 * ```
 */
export class Greenlet<T = unknown> extends Linkable<Greenlet<T>> {
  /** The name given, else null for gevent's default "Greenlet-<n>". */
  private given: string | null = null;
  private readonly serial = counter++;
  /** The function's return value once successful; the GreenletExit after a quiet kill. */
  value: T | GreenletExit | undefined = undefined;
  /** The error the function raised, else null. */
  exception: unknown = null;
  private fn: GreenletFn<unknown[], T> | null;
  private args: unknown[];
  private state = NEW;
  private failed = false;
  private task: Task<void> | null = null;
  private startHandle: Handle | null = null;
  /** Killers waiting for the death: woken at once, ahead of the links (gevent's order). */
  private deathWaiters: Waker<void>[] | null = null;

  constructor(fn: GreenletFn<never[], T>, ...args: unknown[]) {
    super();
    if (typeof fn !== "function")
      throw new TypeError(`spindle/gevent: a Greenlet runs a function, got ${describeValue(fn)}`);
    this.fn = fn as GreenletFn<unknown[], T>;
    this.args = args;
  }

  /** Schedules it to run soon (gevent's `start`); a no-op once started or killed. */
  start(): this {
    if (this.state !== NEW) return this;
    this.loopRef = hubLoop("Greenlet.start()");
    this.state = SCHEDULED;
    this.createTask();
    return this;
  }

  /** Schedules it to run `ms` from now (gevent's `start_later`). */
  startLater(ms: number): this {
    if (this.state !== NEW) return this;
    checkTimeout(ms);
    const loop = (this.loopRef = hubLoop("Greenlet.startLater()"));
    this.state = SCHEDULED;
    this.startHandle = loop.callLater(Math.max(0, ms), () => {
      this.startHandle = null;
      this.createTask();
    });
    return this;
  }

  private createTask(): void {
    // The task keeps its own default name unless one was given: a name costs the task
    // an extra record, and the greenlet's name is what gevent shows anyway.
    const task =
      this.given === null
        ? this.loopRef!.createTask(this.body())
        : this.loopRef!.createTask(this.body(), { name: this.given });
    this.task = task;
    byTask.set(task as Task<unknown>, this as Greenlet<unknown>);
    task.onDone(forget); // also when cancelled before its first step
  }

  private *body(): Generator<Instruction | undefined, void, unknown> {
    if (this.state === DEAD) return; // killed before it ran
    this.state = RUNNING;
    const fn = this.fn!;
    const args = this.args;
    this.fn = null;
    this.args = [];
    let value: T;
    try {
      // A generator function is called here, directly; async and plain functions go
      // through asOperation, which runs them with the task as their context.
      value =
        fn instanceof GeneratorFunction
          ? yield* fn(...args) as Iterable<Instruction | undefined, T, unknown>
          : yield* asOperation((() => fn(...args)) as CoroutineLike<T>);
    } catch (e) {
      if (e instanceof GreenletExit) {
        this.reportResult(e);
        return;
      }
      this.reportError(e);
      if (e instanceof CancelledError) throw e; // an asyncio-side cancel stays one
      return;
    }
    this.reportResult(value);
  }

  private reportResult(value: T | GreenletExit): void {
    this.state = DEAD;
    this.value = value;
    this.wakeDeathWaiters();
    this.scheduleNotify();
  }

  private reportError(e: unknown): void {
    this.state = DEAD;
    this.failed = true;
    this.exception = e;
    this.wakeDeathWaiters();
    this.scheduleNotify();
    if (e instanceof CancelledError) return;
    (this.loopRef ?? hubLoop("a greenlet")).callExceptionHandler({
      message: `${String(this)} failed with ${e instanceof Error ? e.name : describeValue(e)}`,
      exception: e,
      ...(this.task === null ? {} : { task: this.task as Task<unknown> }),
    });
  }

  /**
   * gevent's kill switches from the victim straight back to the killer (its `_kill`
   * callback throws into the victim, then switches to the waiting killer): a directed
   * hand-off, so the killer runs right after the victim's last step, before anything else
   * that is ready and before the links.
   */
  private wakeDeathWaiters(): void {
    const ws = this.deathWaiters;
    if (ws === null) return;
    this.deathWaiters = null;
    for (const w of ws) w.handOff(undefined);
  }

  /** The name (gevent's default: "Greenlet-<n>"). Writable. */
  get name(): string {
    return this.given ?? `Greenlet-${this.serial}`;
  }
  set name(value: string) {
    this.given = String(value);
    if (this.task !== null) this.task.name = this.given;
  }

  /** True once finished (returned, raised or killed). */
  ready(): boolean {
    return this.state === DEAD;
  }

  /** True once finished without an error (a quiet kill, by GreenletExit, counts). */
  successful(): boolean {
    return this.state === DEAD && !this.failed;
  }

  /** True once finished: gevent's `dead`. */
  get dead(): boolean {
    return this.state === DEAD;
  }

  /** Scheduled or running, not dead: gevent's `bool(g)`. */
  get started(): boolean {
    return this.state === SCHEDULED || this.state === RUNNING;
  }

  /** The spindle task running it (null before the start, or if killed before). */
  get taskObject(): Task<void> | null {
    return this.task;
  }

  protected label(): string {
    return `greenlet ${this.name}`;
  }

  /**
   * Waits until it finishes or `timeout` ms pass; returns nothing either way, as gevent.
   *
   * @example
   * ```ts
   * yield* g.join(100);
   * if (!g.ready()) console.log("still running");
   * ```
   */
  *join(timeout?: number | null): Generator<Instruction | undefined, void, unknown> {
    yield* this.waitReady(timeout);
  }

  /**
   * Its value, or its exception raised. `block === false` on an unfinished greenlet,
   * or a `timeout` that passes, raises a `Timeout`.
   *
   * @example
   * ```ts
   * const v = yield* g.get(); // or throws what g raised
   * ```
   */
  *get(block = true, timeout?: number | null): Generator<Instruction | undefined, T, unknown> {
    if (!this.ready()) {
      if (!block) throw new Timeout();
      if (!(yield* this.waitReady(timeout))) throw new Timeout(timeout ?? null);
    }
    if (this.failed) throw this.exception;
    return this.value as T;
  }

  /**
   * Raises `exception` (default: a new `GreenletExit`, a quiet kill) in the greenlet, at
   * once — a greenlet that never ran never will. `yield*` it to also wait until it is
   * dead (gevent's `block=True`; at most `timeout` ms). Never raises.
   *
   * @example
   * ```ts
   * yield* g.kill(); // g's finally blocks have run
   * g.kill(new Error("stop"), { block: false }); // fire and forget
   * ```
   */
  kill(exception: unknown = GreenletExit, options: KillOptions = {}): Operation<void> {
    const block = options.block ?? true;
    const raised = instantiate(exception);
    if (this.killBeforeStart(raised) || this.ready()) return done(undefined);
    this.task!.throwInto(raised);
    if (!block) return done(undefined);
    return this.awaitKill(options.timeout);
  }

  /** Kills a greenlet that never ran: true if it did (it is dead now). */
  killBeforeStart(raised: unknown): boolean {
    if (this.state !== NEW && this.state !== SCHEDULED) return false;
    this.startHandle?.cancel();
    this.startHandle = null;
    this.loopRef ??= hubLoop("Greenlet.kill()");
    this.fn = null;
    this.args = [];
    if (raised instanceof GreenletExit) this.reportResult(raised);
    else this.reportError(raised);
    return true;
  }

  /** gevent's kill with a waiter: until the victim died or took its step, then join. */
  private *awaitKill(
    timeout: number | null | undefined,
  ): Generator<Instruction | undefined, void, unknown> {
    if (!this.ready() && this.task !== currentTask()) {
      yield* suspend<void>(
        (waker) => {
          (this.deathWaiters ??= []).push(waker);
          // Queued behind the victim: if it survived its step, hand back to the killer,
          // which goes on to join.
          const h = this.loopRef!.callSoon(() => void waker.handOff(undefined));
          return () => {
            h.cancel();
            const i = this.deathWaiters?.indexOf(waker) ?? -1;
            if (i >= 0) this.deathWaiters!.splice(i, 1);
          };
        },
        { external: false, describe: `killing ${this.name}` },
      );
    }
    yield* this.waitReady(timeout);
  }

  /**
   * Calls `fn(this)` soon after it finishes, in the order links were added; a generator
   * `fn` returns runs as a task of its own (gevent runs each link in a greenlet), before
   * the next link is called. Added after the end, it still runs.
   *
   * @example
   * ```ts
   * g.link((g) => console.log(`${g.name} ended with`, g.value));
   * ```
   */
  link(fn: (g: this) => unknown): void {
    this.rawlink(tagged(userLink("link", fn as (g: Greenlet<T>) => unknown), fn));
  }

  /** Like link, but only if it finished successfully. */
  linkValue(fn: (g: this) => unknown): void {
    const l = userLink("linkValue", fn as (g: Greenlet<T>) => unknown);
    this.rawlink(tagged((g) => (g.successful() ? l(g) : false), fn));
  }

  /** Like link, but only if it finished with an error. */
  linkException(fn: (g: this) => unknown): void {
    const l = userLink("linkException", fn as (g: Greenlet<T>) => unknown);
    this.rawlink(tagged((g) => (g.successful() ? false : l(g)), fn));
  }

  override toString(): string {
    const state = ["new", "scheduled", "running", "dead"][this.state];
    return `<Greenlet "${this.name}" ${state}>`;
  }
}

function tagged<S>(link: RawLink<S>, user: unknown): RawLink<S> {
  (link as { user?: unknown }).user = user;
  return link;
}

/** An exception class is instantiated, as gevent does. */
function instantiate(exception: unknown): unknown {
  if (typeof exception === "function" && exception.prototype instanceof Error)
    return new (exception as new () => unknown)();
  return exception;
}

/**
 * gevent.spawn: a Greenlet running `fn(...args)`, started (it runs when the current task
 * next waits).
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const g1 = gevent.spawn(eat, "egon");
 * const g2 = gevent.spawn(play, "egon");
 * yield* gevent.joinAll([g1, g2]);
 * ```
 */
export function spawn<A extends unknown[], T>(
  fn: (...args: A) => Iterator<unknown, T, unknown> | IterableOp<T>,
  ...args: A
): Greenlet<T>;
export function spawn<A extends unknown[], T>(
  fn: (...args: A) => PromiseLike<T>,
  ...args: A
): Greenlet<T>;
export function spawn<A extends unknown[], T>(fn: (...args: A) => T, ...args: A): Greenlet<T>;
export function spawn(fn: GreenletFn<unknown[], unknown>, ...args: unknown[]): Greenlet {
  return new Greenlet(fn as GreenletFn<never[], unknown>, ...args).start();
}

/**
 * gevent.spawn_later: a Greenlet that starts `ms` from now.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const g = gevent.spawnLater(100, remind, "tea");
 * ```
 */
export function spawnLater<A extends unknown[], T>(
  ms: number,
  fn: (...args: A) => Iterator<unknown, T, unknown> | IterableOp<T>,
  ...args: A
): Greenlet<T>;
export function spawnLater<A extends unknown[], T>(
  ms: number,
  fn: (...args: A) => PromiseLike<T>,
  ...args: A
): Greenlet<T>;
export function spawnLater<A extends unknown[], T>(
  ms: number,
  fn: (...args: A) => T,
  ...args: A
): Greenlet<T>;
export function spawnLater(
  ms: number,
  fn: GreenletFn<unknown[], unknown>,
  ...args: unknown[]
): Greenlet {
  return new Greenlet(fn as GreenletFn<never[], unknown>, ...args).startLater(ms);
}

/**
 * The running gevent Greenlet; in a task gevent did not spawn (the `run` main task),
 * the task's main greenlet from spindle/greenlet, as gevent returns the hub's main
 * greenlet there.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const me = gevent.getcurrent();
 * ```
 */
export function getcurrent(): Greenlet | RawGreenlet {
  const task = currentTask();
  const g = task === null ? undefined : byTask.get(task);
  return g ?? rawGetcurrent();
}

export type { EventLoop };
