// WaitQueue: the FIFO of parked waiters that every primitive in src/sync keeps.
//
// HOW: an intrusive doubly-linked list. A waiter is linked when its task parks and leaves
// the list by exactly one of two doors: a releaser takes it from the front (`shift`), or
// the task is cancelled while parked and its undo unlinks it from wherever it sits
// (`remove`). A linked list makes that second door O(1), where an array would splice.
// Intrusive: the operation that waits (a `Waiting`) is itself the node, so a parked wait
// allocates no node and no undo closure (measured in a Queue ping-pong: park was the
// costliest kernel function, and its allocations a good part of the GC time).
//
// Invariant: a node is linked into at most one queue, and `node.linkedTo` says which; `remove`
// of a node that already left (taken, or removed once) does nothing, so an undo may race a
// hand-off harmlessly. `size` counts linked nodes only: no entry outlives its wait.
//
// Cost: push, shift and remove are O(1); no allocation for a Waiting, one node for push().

import { Attempt, type Waker } from "../kernel/operation.js";

/**
 * What a WaitQueue links: a node with its value. `WaitNode` is the plain one push() makes;
 * `Waiting` operations are their own nodes.
 *
 * @example
 * ```ts
 * const node: Linked<Waker<void>> = waiters.push(waker);
 * node.value.resume();
 * ```
 */
export interface Linked<T> {
  /** @internal */ linkPrev: Linked<T> | null;
  /** @internal */ linkNext: Linked<T> | null;
  /** The queue this node is linked into, or null once it left. */
  linkedTo: WaitQueue<T> | null;
  readonly value: T;
}

/**
 * A place in a WaitQueue, returned by push and given back to remove.
 *
 * @example
 * ```ts
 * const node = waiters.push(waker);
 * waiters.remove(node); // true; a second remove returns false
 * ```
 */
export class WaitNode<T> implements Linked<T> {
  /** @internal */ linkPrev: Linked<T> | null = null;
  /** @internal */ linkNext: Linked<T> | null = null;
  /** The queue this node is linked into, or null once it left. */
  linkedTo: WaitQueue<T> | null = null;
  constructor(readonly value: T) {}
}

/**
 * A FIFO of waiters with O(1) removal from the middle (for cancellation).
 *
 * @example
 * ```ts
 * const waiters = new WaitQueue<Waker<boolean>>();
 * yield* suspend<boolean>((waker) => {
 *   const node = waiters.push(waker);
 *   return () => waiters.remove(node); // cancelled while parked: leave the queue
 * }, { external: false });
 * ```
 */
export class WaitQueue<T> {
  private head: Linked<T> | null = null;
  private tail: Linked<T> | null = null;
  private count = 0;

  /** How many waiters are queued. */
  get size(): number {
    return this.count;
  }

  /** Appends `value` at the back; returns its node for `remove`. */
  push(value: T): WaitNode<T> {
    const node = new WaitNode(value);
    this.link(node);
    return node;
  }

  /** Links `node` (not linked anywhere) at the back. */
  link(node: Linked<T>): void {
    node.linkedTo = this;
    node.linkPrev = this.tail;
    if (this.tail === null) this.head = node;
    else this.tail.linkNext = node;
    this.tail = node;
    this.count++;
  }

  /** Unlinks `node` if it is still queued here; true if it was. */
  remove(node: Linked<T>): boolean {
    if (node.linkedTo !== this) return false;
    if (node.linkPrev === null) this.head = node.linkNext;
    else node.linkPrev.linkNext = node.linkNext;
    if (node.linkNext === null) this.tail = node.linkPrev;
    else node.linkNext.linkPrev = node.linkPrev;
    node.linkPrev = node.linkNext = null;
    node.linkedTo = null;
    this.count--;
    return true;
  }

  /** The oldest node, left in place; null if the queue is empty. */
  first(): Linked<T> | null {
    return this.head;
  }

  /** The nodes, oldest first (do not add or remove while iterating). */
  *[Symbol.iterator](): Iterator<Linked<T>> {
    for (let node = this.head; node !== null; node = node.linkNext) yield node;
  }

  /** Takes the oldest node, or null if the queue is empty. */
  shift(): Linked<T> | null {
    const node = this.head;
    if (node !== null) this.remove(node);
    return node;
  }

  /**
   * Offers something to the waiters, oldest first, until `deliver` accepts one (returns
   * true); the ones it refuses (stale wakers) are dropped. True if one accepted.
   */
  handOff(deliver: (value: T) => boolean): boolean {
    for (let node = this.shift(); node !== null; node = this.shift()) {
      if (deliver(node.value)) return true;
    }
    return false;
  }
}

/**
 * An operation that waits in a WaitQueue of wakers (Attempt's park, done once for every
 * primitive): it parks at the back of `queue` and its undo unlinks it. Subclasses say when
 * it can finish now (attempt), what a woken waiter does when it runs (resume), and what it
 * passes on if a cancel wins after it was woken (abandon). `leave()` unlinks a waiter that
 * stays queued after its wake-up until it runs (asyncio's Lock and Semaphore keep woken
 * futures in their deque until the task removes them).
 *
 * @example
 * ```ts
 * class Wait extends Waiting<boolean> {
 *   constructor(private readonly flag: Flag) { super(flag.waiters); }
 *   protected attempt() { return this.flag.up ? true : NOT_YET; }
 * }
 * ```
 */
export abstract class Waiting<T> extends Attempt<T> implements Linked<Waker<T>> {
  /** @internal */ linkPrev: Linked<Waker<T>> | null = null;
  /** @internal */ linkNext: Linked<Waker<T>> | null = null;
  /** The queue this waiter is linked into, or null. */
  linkedTo: WaitQueue<Waker<T>> | null = null;
  /** The waker of its latest park (the node's value). */
  value: Waker<T> = NO_WAKER as Waker<T>;
  constructor(private readonly waitQueue: WaitQueue<Waker<T>>) {
    super();
  }
  park(waker: Waker<T>): void {
    this.value = waker;
    this.waitQueue.link(this);
  }
  /** Cancelled while parked: leave the queue. */
  protected override unpark(): void {
    this.waitQueue.remove(this);
  }
  /** Unlinks this waiter if it is still queued (a woken one that stays until it runs). */
  protected leave(): void {
    this.waitQueue.remove(this);
  }
}

/** A Waiting's waker before its first park. */
const NO_WAKER: Waker<unknown> = {
  active: false,
  woken: false,
  resume: () => false,
  fail: () => false,
  handOff: () => false,
};
