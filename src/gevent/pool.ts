// gevent.pool: Group (a set of greenlets that leave it when they finish) and Pool (a
// Group with at most `size` members: spawn waits for a free slot, as gevent's does).

import { TimeoutError, describe as describeValue } from "../errors.js";
import { waitFor } from "../combinators/timeout.js";
import { asOperation, type CoroutineLike } from "../kernel/loop.js";
import type { Instruction, Operation } from "../kernel/operation.js";
import { Semaphore } from "../sync/semaphore.js";
import { Event, AsyncResult } from "./event.js";
import { Greenlet, getcurrent, type GreenletFn } from "./greenlet.js";
import { killAll, type KillAllOptions } from "./hub.js";
import { done, hubLoop, type RawLink } from "./linkable.js";

/** A function a Group runs: generator, async or plain. */
type Fn<A extends unknown[], R> = (
  ...args: A
) => Iterator<unknown, R, unknown> | PromiseLike<R> | R;

/** Group.join's options. */
export interface GroupJoinOptions {
  /** Wait at most this many ms; returns whether the group is empty. */
  timeout?: number | null;
  /** Raise the first error among the greenlets that were members when join began. */
  raiseError?: boolean;
}

/**
 * gevent.pool.Group: greenlets spawned or added here are members until they finish;
 * `join` waits for them all, `kill` kills them all, `map` / `imap` / `imapUnordered` /
 * `apply` run functions as members.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const group = new gevent.Group();
 * yield* group.spawn(download, "a");
 * yield* group.spawn(download, "b");
 * yield* group.join();
 * ```
 */
export class Group {
  /** The members. */
  readonly greenlets = new Set<Greenlet<unknown>>();
  private readonly discarders = new Map<Greenlet<unknown>, RawLink<Greenlet<unknown>>>();
  private readonly empty = new Event();

  constructor(greenlets: Iterable<Greenlet<unknown>> = []) {
    this.empty.set();
    for (const g of greenlets) this.addNow(g);
  }

  /** How many members. */
  get size(): number {
    return this.greenlets.size;
  }

  /** Python's `g in group`. */
  has(g: Greenlet<unknown>): boolean {
    return this.greenlets.has(g);
  }

  /** Free slots: Infinity for a Group. */
  freeCount(): number {
    return Infinity;
  }

  /** True when spawn would wait: never for a Group. */
  full(): boolean {
    return this.freeCount() <= 0;
  }

  /** Waits until a slot is free (at once for a Group); returns freeCount(). */
  *waitAvailable(_timeout?: number | null): Generator<Instruction | undefined, number, unknown> {
    return this.freeCount();
  }

  /** Makes `g` a member until it finishes (a Pool waits for a free slot). */
  add(g: Greenlet<unknown>): Operation<void> {
    this.addNow(g);
    return done(undefined);
  }

  protected addNow(g: Greenlet<unknown>): void {
    if (!(g instanceof Greenlet))
      throw new TypeError(`spindle/gevent: a Group holds Greenlets, got ${describeValue(g)}`);
    if (this.greenlets.has(g)) return;
    this.greenlets.add(g);
    this.empty.clear();
    const link: RawLink<Greenlet<unknown>> = (x) => void this.discard(x);
    this.discarders.set(g, link);
    g.rawlink(link);
  }

  /** Removes `g` (a Pool frees its slot). */
  discard(g: Greenlet<unknown>): void {
    if (!this.greenlets.delete(g)) return;
    const link = this.discarders.get(g);
    this.discarders.delete(g);
    if (link !== undefined) g.unlink(link);
    this.released();
    if (this.greenlets.size === 0) this.empty.set();
  }

  /** A member left (Pool frees a slot). */
  protected released(): void {}

  /** Adds `g` and starts it. */
  *start(g: Greenlet<unknown>): Generator<Instruction | undefined, void, unknown> {
    yield* this.add(g);
    g.start();
  }

  /**
   * Spawns `fn(...args)` as a member; returns the Greenlet (a Pool first waits for a slot).
   *
   * @example
   * ```ts
   * const g = yield* workers.spawn(fetchPage, url);
   * ```
   */
  *spawn<A extends unknown[], R>(
    fn: Fn<A, R>,
    ...args: A
  ): Generator<Instruction | undefined, Greenlet<R>, unknown> {
    const g = new Greenlet<R>(fn as unknown as GreenletFn<never[], R>, ...args);
    yield* this.start(g as Greenlet<unknown>);
    return g;
  }

  /** Waits until every member finished; with raiseError, raises the first failure. */
  *join(options: GroupJoinOptions = {}): Generator<Instruction | undefined, boolean, unknown> {
    const members = options.raiseError ? [...this.greenlets] : [];
    const empty = yield* this.empty.wait(options.timeout);
    for (const g of members) if (g.ready() && !g.successful()) throw g.exception;
    return empty;
  }

  /**
   * Kills every member, at once; `yield*` it to also wait until they have left the group
   * (at most `timeout` ms: then it returns, as gevent's).
   */
  kill(exception?: unknown, options: KillAllOptions = {}): Operation<void> {
    void killAll([...this.greenlets], exception, { block: false });
    if (options.block === false || this.greenlets.size === 0) return done(undefined);
    const empty = this.empty;
    return (function* () {
      yield* empty.wait(options.timeout);
    })();
  }

  /** Kills one member. */
  killone(
    g: Greenlet<unknown>,
    exception?: unknown,
    options: KillAllOptions = {},
  ): Operation<void> {
    if (!this.greenlets.has(g)) return done(undefined);
    return g.kill(exception, options);
  }

  /** Runs `fn(...args)` in a member and returns its result (or raises its error). */
  *apply<A extends unknown[], R>(
    fn: Fn<A, R>,
    args: A = [] as unknown as A,
  ): Generator<Instruction | undefined, R, unknown> {
    if (this.applyImmediately()) return yield* asOperation((() => fn(...args)) as CoroutineLike<R>);
    const g = yield* this.spawn(fn, ...args);
    return yield* g.get();
  }

  /** gevent: a member calling apply on its own group runs the function in place. */
  protected applyImmediately(): boolean {
    const me = getcurrent();
    return me instanceof Greenlet && this.greenlets.has(me);
  }

  /**
   * `fn(item)` for every item, as members; returns the results in the items' order.
   *
   * @example
   * ```ts
   * const sizes = yield* workers.map(fetchSize, urls);
   * ```
   */
  *map<T, R>(fn: Fn<[T], R>, items: Iterable<T>): Generator<Instruction | undefined, R[], unknown> {
    const out: R[] = [];
    for (const next of this.imap(fn, items)) out.push(yield* next);
    return out;
  }

  /**
   * `fn(item)` for every item, as members, started as slots allow; hands out the results
   * in the items' order, each an operation (`yield* next` returns it, or raises that
   * item's error).
   *
   * @example
   * ```ts
   * for (const next of workers.imap(fetchSize, urls)) console.log(yield* next);
   * ```
   */
  imap<T, R>(fn: Fn<[T], R>, items: Iterable<T>): Generator<Operation<R>, void, unknown> {
    return this.mapped(fn, items, true);
  }

  /** Like imap, but hands the results out in the order they finish. */
  imapUnordered<T, R>(fn: Fn<[T], R>, items: Iterable<T>): Generator<Operation<R>, void, unknown> {
    return this.mapped(fn, items, false);
  }

  private *mapped<T, R>(
    fn: Fn<[T], R>,
    items: Iterable<T>,
    ordered: boolean,
  ): Generator<Operation<R>, void, unknown> {
    if (typeof fn !== "function")
      throw new TypeError(`spindle/gevent: map needs a function, got ${describeValue(fn)}`);
    const list = [...items];
    const results = list.map(() => new AsyncResult<R>());
    let finished = 0;
    const deliver = (i: number, x: Greenlet<R>): void => {
      const r = results[ordered ? i : finished++]!;
      if (x.successful()) r.set(x.value as R);
      else r.setException(x.exception);
    };
    const feeder = hubLoop("imap").createTask(this.feed(fn, list, deliver), {
      name: "imap feeder",
    });
    try {
      for (const r of results) yield r.get();
    } finally {
      if (!feeder.done()) feeder.cancel();
    }
  }

  /** imap's feeder: spawns a member per item, as slots free up. */
  private *feed<T, R>(
    fn: Fn<[T], R>,
    list: T[],
    deliver: (i: number, g: Greenlet<R>) => void,
  ): Generator<Instruction | undefined, void, unknown> {
    for (let i = 0; i < list.length; i++) {
      const g = yield* this.spawn(fn, list[i] as T);
      g.rawlink((x) => deliver(i, x));
    }
  }

  toString(): string {
    return `<${this.constructor.name} of ${this.greenlets.size}>`;
  }
}

/**
 * gevent.pool.Pool(size): a Group of at most `size` members; `spawn`, `add`, `map`,
 * `imap`... wait for a free slot. `Pool()` (no size) has no limit.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const workers = new gevent.Pool(2);
 * const pages = yield* workers.map(fetchPage, urls); // two at a time
 * ```
 */
export class Pool extends Group {
  /** The most members at once (Infinity: no limit). */
  readonly poolSize: number;
  private readonly slots: Semaphore | null;

  constructor(size: number | null = null) {
    super();
    if (size !== null && (typeof size !== "number" || !(size >= 1)))
      throw new TypeError(
        `spindle/gevent: Pool size must be 1 or more, got ${describeValue(size)}`,
      );
    this.poolSize = size ?? Infinity;
    this.slots = size === null ? null : new Semaphore(size);
  }

  override freeCount(): number {
    return this.poolSize - this.size;
  }

  override add(g: Greenlet<unknown>): Operation<void> {
    if (this.has(g) || this.slots === null) return super.add(g);
    return this.addWhenFree(this.slots, g);
  }

  private *addWhenFree(
    slots: Semaphore,
    g: Greenlet<unknown>,
  ): Generator<Instruction | undefined, void, unknown> {
    yield* slots.acquire();
    this.addNow(g);
  }

  protected override released(): void {
    this.slots?.release();
  }

  /** Waits until a slot is free (without taking it), at most `timeout` ms. */
  override *waitAvailable(
    timeout?: number | null,
  ): Generator<Instruction | undefined, number, unknown> {
    const slots = this.slots;
    if (slots === null || this.freeCount() > 0) return this.freeCount();
    const got = timeout == null ? yield* slots.acquire() : yield* acquireWithin(slots, timeout);
    if (got) slots.release();
    return this.freeCount();
  }

  protected override applyImmediately(): boolean {
    return super.applyImmediately() && this.full();
  }
}

function* acquireWithin(
  slots: Semaphore,
  timeout: number,
): Generator<Instruction | undefined, boolean, unknown> {
  try {
    return yield* waitFor(slots.acquire(), Math.max(0, timeout));
  } catch (e) {
    if (e instanceof TimeoutError) return false;
    throw e;
  }
}
