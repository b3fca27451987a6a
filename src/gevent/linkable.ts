// What gevent's Greenlet, Event and AsyncResult share (gevent's AbstractLinkable): a list
// of links called, in the order they were added, soon after the object becomes ready.
//
// gevent calls its links from one hub callback; a link that switches to a greenlet (a
// join, a SpawnedLink) runs that greenlet before the next link is called. spindle has no
// switch from a callback into a task, so the chain is cut instead: after a link that
// readied a task, the rest of the chain is queued behind that task (callSoon), and so runs
// after it took its step — the same order as gevent's.

import { describe as describeValue } from "../errors.js";
import type { EventLoop } from "../kernel/loop.js";
import type { Handle } from "../kernel/handle.js";
import { getRunningLoop } from "../kernel/event-loop.js";
import { isCoroutine, suspend, type Operation } from "../kernel/operation.js";

/**
 * A link: called with the object once it is ready. Returns true when it readied a task
 * (a woken waiter, a spawned callback), so the chain lets that task run before the next
 * link. (A method type, so that its parameter is compared bivariantly: a Greenlet<void>
 * is a Greenlet<unknown>.)
 */
export type RawLink<S> = { link(source: S): boolean | void }["link"];

/** The loop a gevent object lives on: the running one. */
export function hubLoop(what: string): EventLoop {
  const loop = getRunningLoop();
  if (loop === null)
    throw new Error(
      `spindle/gevent: ${what} needs a running event loop (call it inside run(...) or a task)`,
    );
  return loop;
}

/** Wraps a user callback as a link: a generator it returns runs as a task of its own. */
export function userLink<S>(what: string, fn: (source: S) => unknown): RawLink<S> {
  if (typeof fn !== "function")
    throw new TypeError(`spindle/gevent: ${what} needs a function, got ${describeValue(fn)}`);
  return (source: S) => {
    const out = fn(source);
    if (isCoroutine(out)) {
      hubLoop(what).createTask(out);
      return true;
    }
    return false;
  };
}

/** The base of Greenlet, Event and AsyncResult: links and waiting for readiness. */
export abstract class Linkable<S> {
  private links: RawLink<S>[] = [];
  private notifier: Handle | null = null;
  /** The loop, set by the subclass when it binds to one. */
  protected loopRef: EventLoop | null = null;

  /** True once the object is ready (finished, set). */
  abstract ready(): boolean;

  /** What `describe` says in a waiting task's `waitingOn`. */
  protected abstract label(): string;

  /**
   * Calls `fn(this)` soon after the object is ready, in the order links were added (at
   * once-soon if it already is). `fn` must not throw; return true if it readied a task.
   * Lower-level than `link`: no spawning.
   *
   * @example
   * ```ts
   * g.rawlink((g) => console.log(`${g} finished`));
   * ```
   */
  rawlink(fn: RawLink<S>): void {
    // Bound to the loop of its first link: set() may then come from anywhere (a Node
    // callback outside any task), the notification still runs on that loop.
    this.loopRef ??= hubLoop("rawlink");
    this.links.push(fn);
    if (this.ready()) this.scheduleNotify();
  }

  /** Removes a link added with `rawlink` (or the one `link` made of the same function). */
  unlink(fn: RawLink<S> | ((source: S) => unknown)): void {
    const i = this.links.findIndex((l) => l === fn || (l as { user?: unknown }).user === fn);
    if (i >= 0) this.links.splice(i, 1);
  }

  /** How many links are waiting. */
  protected hasLinks(): number {
    return this.links.length;
  }

  /** Called by the subclass when it becomes ready. */
  protected scheduleNotify(): void {
    if (this.notifier !== null || this.links.length === 0) return;
    const loop = this.loopRef ?? hubLoop("a link");
    this.notifier = loop.callSoon(notify, this as Linkable<unknown>);
  }

  /** Calls the links in order; cut after one that readied a task (see the header). */
  notifyLinks(): void {
    this.notifier = null;
    const source = this as unknown as S;
    while (this.links.length > 0 && this.ready()) {
      const link = this.links.shift()!;
      let readied = false;
      try {
        readied = link(source) === true;
      } catch (e) {
        (this.loopRef ?? hubLoop("a link")).callExceptionHandler({
          message: `spindle/gevent: a link of ${String(this)} raised`,
          exception: e,
        });
      }
      if (readied) {
        this.scheduleNotify();
        return;
      }
    }
  }

  /**
   * Parks until the object is ready or `timeout` ms passed; returns whether it is ready.
   * Cancelling the wait removes its link and its timer.
   */
  protected waitReady(timeout: number | null | undefined): Operation<boolean> {
    if (this.ready()) return done(true);
    if (timeout != null) checkTimeout(timeout);
    return suspend<boolean>(
      (waker) => {
        const loop = (this.loopRef ??= hubLoop("waiting"));
        let timer: Handle | null = null;
        const link: RawLink<S> = () => {
          timer?.cancel();
          return waker.resume(true);
        };
        this.links.push(link);
        timer =
          timeout == null
            ? null
            : loop.callLater(Math.max(0, timeout), () => {
                this.unlink(link);
                waker.resume(false);
              });
        return () => {
          this.unlink(link);
          timer?.cancel();
        };
      },
      { external: false, describe: this.label() },
    );
  }
}

/** Throws unless `ms` is a usable timeout. */
export function checkTimeout(ms: unknown): asserts ms is number {
  if (typeof ms !== "number" || Number.isNaN(ms))
    throw new TypeError(`spindle/gevent: a timeout is a number of ms, got ${describeValue(ms)}`);
}

/** An operation that returns `value` without suspending. */
export function done<T>(value: T): Operation<T> {
  return {
    [Symbol.iterator]() {
      return {
        next: () => ({ value, done: true as const }),
      };
    },
  } as Operation<T>;
}

/** The notifier's callback: one function for all objects (no closure per object). */
function notify(source: Linkable<unknown>): void {
  source.notifyLinks();
}
