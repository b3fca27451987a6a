// gevent's module-level waiting: sleep, idle, wait, iwait, joinAll, killAll. gevent's hub
// is spindle's event loop: every one of these is an operation of the current task.

import { describe as describeValue } from "../errors.js";
import { sleep as kernelSleep } from "../kernel/sleep.js";
import { suspend, type Instruction, type Operation, type Waker } from "../kernel/operation.js";
import type { Handle } from "../kernel/handle.js";
import { GreenletExit } from "../greenlet/errors.js";
import { Greenlet } from "./greenlet.js";
import { checkTimeout, done, hubLoop, type RawLink } from "./linkable.js";
import { Timeout } from "./timeout.js";

/**
 * gevent.sleep: waits `ms` milliseconds (default 0: gives the turn to every other ready
 * greenlet and task, then goes on).
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * yield* gevent.sleep(50);
 * ```
 */
export function sleep(ms = 0): Operation<void> {
  return kernelSleep(ms);
}

/**
 * gevent.idle: waits until nothing else is ready to run (at most 1000 turns).
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * yield* gevent.idle();
 * ```
 */
export function* idle(): Generator<Instruction | undefined, void, unknown> {
  const loop = hubLoop("idle()");
  let turns = 0;
  do yield;
  while (loop.stats().ready > 1 && ++turns < 1000);
}

/** What wait, iwait and joinAll accept: a Greenlet, Event or AsyncResult. */
export interface Waitable {
  ready(): boolean;
  rawlink(fn: AnyLink): void;
  unlink(fn: AnyLink): void;
}

/** A link of any source (a method type, so its parameter is compared bivariantly). */
type AnyLink = { link(source: unknown): boolean | void }["link"];

/** iwait's and wait's options. */
export interface WaitOptions {
  /** Stop waiting after this many ms. */
  timeout?: number | null;
  /** Stop after this many have finished. */
  count?: number | null;
}

/**
 * gevent.iwait: hands out `objects` (greenlets, events, async results) in the order they
 * become ready. JavaScript cannot wait inside a `for...of` header, so each step is an
 * operation: `yield* next` returns the next ready object, or null when the `timeout`
 * passed first (the iteration then ends). With `count`, stops after that many.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * for (const next of gevent.iwait([g1, g2, g3])) {
 *   const g = yield* next;
 *   console.log(g?.value);
 * }
 * ```
 */
export function* iwait<W extends Waitable>(
  objects: Iterable<W>,
  options: WaitOptions = {},
): Generator<Operation<W | null>, void, unknown> {
  const items = [...objects]; // no Set: hashing 20k objects costs more than the wait
  const count = Math.min(options.count ?? items.length, items.length);
  const timeout = options.timeout ?? null;
  if (timeout !== null) checkTimeout(timeout);
  if (count === 0) return;
  const loop = hubLoop("iwait()");
  const readyOnes: W[] = []; // read from `taken` on: no shift(), O(1) per item
  let taken = 0;
  let waiter: Waker<void> | null = null;
  let timedOut = false;
  const wake = (): void => {
    const w = waiter;
    waiter = null;
    w?.resume(undefined);
  };
  // One link for every item (it receives the item), so no closure per item.
  const link: RawLink<unknown> = (item) => {
    readyOnes.push(item as W);
    const readied = waiter !== null;
    wake();
    return readied;
  };
  for (const item of items) item.rawlink(link);
  const timer: Handle | null =
    timeout === null
      ? null
      : loop.callLater(Math.max(0, timeout), () => {
          timedOut = true;
          wake();
        });
  function* next(): Generator<Instruction | undefined, W | null, unknown> {
    while (readyOnes.length === taken && !timedOut)
      yield* suspend<void>(
        (waker) => {
          waiter = waker;
          return () => void (waiter = null);
        },
        { external: false, describe: "iwait" },
      );
    return readyOnes.length > taken ? readyOnes[taken++]! : null;
  }
  try {
    for (let handed = 0; handed < count && (readyOnes.length > taken || !timedOut); handed++)
      yield next();
  } finally {
    timer?.cancel();
    for (const item of items) item.unlink(link);
  }
}

/**
 * gevent.wait: waits for `objects` and returns those that became ready, in the order
 * they did (all of them, or `count`, or those ready when `timeout` passed).
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const finished = yield* gevent.wait([g1, g2], { timeout: 100 });
 * ```
 */
export function wait<W extends Waitable>(
  objects: Iterable<W>,
  options: WaitOptions = {},
): Generator<Instruction | undefined, W[], unknown> {
  return collect(objects, options, false);
}

/**
 * wait and joinAll: one link for every object, and the waiting task woken once — when
 * `count` are ready, the timeout passed, or (raiseError) one failed — not once per object
 * as iterating iwait would.
 */
function* collect<W extends Waitable>(
  objects: Iterable<W>,
  options: WaitOptions,
  raiseError: boolean,
): Generator<Instruction | undefined, W[], unknown> {
  const items = [...objects]; // no Set: hashing 20k objects costs more than the wait
  const count = Math.min(options.count ?? items.length, items.length);
  const timeout = options.timeout ?? null;
  if (timeout !== null) checkTimeout(timeout);
  const out: W[] = [];
  if (count === 0) return out;
  const loop = hubLoop("wait()");
  let waiter: Waker<void> | null = null;
  let failed = false;
  const link: RawLink<unknown> = (item) => {
    if (out.length >= count || failed) return false;
    out.push(item as W);
    if (raiseError && failureOf(item) !== undefined) failed = true;
    if (waiter === null || (out.length < count && !failed)) return false;
    const w = waiter;
    waiter = null;
    return w.resume(undefined);
  };
  for (const item of items) item.rawlink(link);
  try {
    if (out.length < count && !failed)
      yield* suspend<void>(
        (waker) => {
          waiter = waker;
          const timer =
            timeout === null ? null : loop.callLater(Math.max(0, timeout), () => waker.resume());
          return () => {
            waiter = null;
            timer?.cancel();
          };
        },
        { external: false, describe: "wait" },
      );
  } finally {
    waiter = null;
    for (const item of items) item.unlink(link);
  }
  if (failed) throw failureOf(out[out.length - 1]);
  return out;
}

/** The error a finished greenlet or AsyncResult holds; undefined if none. */
function failureOf(item: unknown): unknown {
  const e = (item as { exception?: unknown }).exception;
  return e === null ? undefined : e;
}

/** joinAll's options. */
export interface JoinAllOptions extends WaitOptions {
  /** Raise the first error a greenlet finished with (when it finishes). */
  raiseError?: boolean;
}

/**
 * gevent.joinall: waits for the greenlets; returns those that finished, in the order they
 * did. With `raiseError`, the first one to fail makes it raise that greenlet's error.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const finished = yield* gevent.joinAll([g1, g2, g3], { timeout: 1000 });
 * ```
 */
export function joinAll<W extends Waitable>(
  greenlets: Iterable<W>,
  options: JoinAllOptions = {},
): Generator<Instruction | undefined, W[], unknown> {
  return collect(greenlets, options, options.raiseError === true);
}

/** killAll's options. */
export interface KillAllOptions {
  /** Wait until all are dead (default true): only when `yield*`ed. */
  block?: boolean;
  /** With block: at most this many ms, then raise a Timeout. */
  timeout?: number | null;
}

/**
 * gevent.killall: kills every greenlet (as `g.kill(exception)` each, at once);
 * `yield*` it to also wait until all are dead (a `timeout` that passes raises a Timeout).
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * yield* gevent.killAll(workers);
 * ```
 */
export function killAll(
  greenlets: Iterable<Greenlet<unknown>>,
  exception: unknown = GreenletExit,
  options: KillAllOptions = {},
): Operation<void> {
  const alive: Greenlet<unknown>[] = [];
  for (const g of greenlets) {
    if (!(g instanceof Greenlet))
      throw new TypeError(`spindle/gevent: killAll takes Greenlets, got ${describeValue(g)}`);
    if (g.ready()) continue;
    g.kill(exception, { block: false });
    if (!g.ready()) alive.push(g);
  }
  if (alive.length === 0 || options.block === false) return done(undefined);
  const timeout = options.timeout ?? null;
  return (function* () {
    const finished = yield* wait(alive, { timeout });
    if (finished.length < alive.length) throw new Timeout(timeout);
  })();
}
