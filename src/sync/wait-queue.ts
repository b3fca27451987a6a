// WaitQueue: the FIFO of parked waiters that every primitive in src/sync keeps.
//
// HOW: an intrusive doubly-linked list. A waiter is pushed when its task parks and leaves
// the list by exactly one of two doors: a releaser takes it from the front (`shift`), or
// the task is cancelled while parked and its undo unlinks it from wherever it sits
// (`remove`). A linked list makes that second door O(1), where an array would splice.
//
// Invariant: a node is linked into at most one queue, and `node.queue` says which; `remove`
// of a node that already left (taken, or removed once) does nothing, so an undo may race a
// hand-off harmlessly. `size` counts linked nodes only: no entry outlives its wait.
//
// Cost: push, shift and remove are O(1); one small node object per wait.

import { Attempt, type Waker } from "../kernel/operation.js";

/**
 * A place in a WaitQueue, returned by push and given back to remove.
 *
 * @example
 * ```ts
 * const node = waiters.push(waker);
 * waiters.remove(node); // true; a second remove returns false
 * ```
 */
export class WaitNode<T> {
  /** @internal */ prev: WaitNode<T> | null = null;
  /** @internal */ next: WaitNode<T> | null = null;
  /** The queue this node is linked into, or null once it left. */
  queue: WaitQueue<T> | null = null;
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
  private head: WaitNode<T> | null = null;
  private tail: WaitNode<T> | null = null;
  private count = 0;

  /** How many waiters are queued. */
  get size(): number {
    return this.count;
  }

  /** Appends `value` at the back; returns its node for `remove`. */
  push(value: T): WaitNode<T> {
    const node = new WaitNode(value);
    node.queue = this;
    node.prev = this.tail;
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.count++;
    return node;
  }

  /** Unlinks `node` if it is still queued here; true if it was. */
  remove(node: WaitNode<T>): boolean {
    if (node.queue !== this) return false;
    if (node.prev === null) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = null;
    node.queue = null;
    this.count--;
    return true;
  }

  /** The oldest node, left in place; null if the queue is empty. */
  first(): WaitNode<T> | null {
    return this.head;
  }

  /** The nodes, oldest first (do not add or remove while iterating). */
  *[Symbol.iterator](): Iterator<WaitNode<T>> {
    for (let node = this.head; node !== null; node = node.next) yield node;
  }

  /** Takes the oldest node, or null if the queue is empty. */
  shift(): WaitNode<T> | null {
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
export abstract class Waiting<T> extends Attempt<T> {
  private node: WaitNode<Waker<T>> | null = null;
  constructor(private readonly waitQueue: WaitQueue<Waker<T>>) {
    super();
  }
  park(waker: Waker<T>): () => void {
    const queue = this.waitQueue;
    const node = queue.push(waker);
    this.node = node;
    return () => void queue.remove(node);
  }
  /** Unlinks this waiter if it is still queued. */
  protected leave(): void {
    if (this.node !== null) {
      this.waitQueue.remove(this.node);
      this.node = null;
    }
  }
}
