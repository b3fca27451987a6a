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

import { Attempt, NOT_YET, type Waker } from "../kernel/operation.js";

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
 * What a primitive offers a task that wants in: a try-now, and the FIFO to wait in.
 * Lock, Event and Semaphore are gates.
 */
export interface Gate {
  /** Takes the lock / permit / passage now if it can; true if it did. */
  tryEnter(): boolean;
  /** Where tasks park until a release hands them the way in (resume(true)). */
  readonly waiters: WaitQueue<Waker<boolean>>;
}

/**
 * `yield* gate.acquire()`: in now (returns true), or parked in the gate's FIFO until a
 * releaser hands the way in. Cancelled while parked, the task leaves the FIFO. One small
 * object per use, no generator (see Attempt).
 */
export class Enter extends Attempt<boolean> {
  constructor(private readonly gate: Gate) {
    super();
  }
  protected attempt(): boolean | typeof NOT_YET {
    return this.gate.tryEnter() ? true : NOT_YET;
  }
  park(waker: Waker<boolean>): () => void {
    const waiters = this.gate.waiters;
    const node = waiters.push(waker);
    return () => void waiters.remove(node);
  }
}
