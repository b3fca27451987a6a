// The ready queue, TypeScript twin of assembly/ready.ts: a FIFO ring of task ids with a
// power-of-two capacity and monotonic head/tail counters.
//
// Invariant: a live task is in the ring at most once (TASK_QUEUED is set exactly while it
// is); stale ids left by release() are skipped by pop(). Cost: O(1), amortised growth.

import { INITIAL_READY, NONE, TASK_QUEUED } from "./constants.js";
import type { TaskTable } from "./tasks.js";

export class ReadyQueue {
  private ring = new Int32Array(INITIAL_READY);
  private mask = INITIAL_READY - 1;
  private head = 0;
  private tail = 0;

  constructor(private readonly tasks: TaskTable) {}

  /** Enqueues a live task that is not queued yet; false for a stale or queued id. */
  push(id: number): boolean {
    const t = this.tasks;
    const slot = t.liveSlot(id);
    if (slot < 0) return false;
    const flags = t.flags[slot]!;
    if (flags & TASK_QUEUED) return false;
    t.flags[slot] = flags | TASK_QUEUED;
    t.wakeups[slot]!++;
    if (this.tail - this.head > this.mask) this.grow();
    this.ring[this.tail & this.mask] = id;
    // Counters stay below 2^31 by rebasing when the queue drains (see shift).
    this.tail++;
    return true;
  }

  /** Dequeues the oldest live id, or NONE. */
  pop(): number {
    while (this.head !== this.tail) {
      const id = this.shift();
      if (id !== NONE) return id;
    }
    return NONE;
  }

  /** Dequeues exactly one entry (the ring must not be empty): its id if live, else NONE. */
  shift(): number {
    const id = this.ring[this.head & this.mask]!;
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
    const t = this.tasks;
    const slot = t.liveSlot(id);
    if (slot < 0) return NONE;
    t.flags[slot]! &= ~TASK_QUEUED;
    return id;
  }

  /** Empties the ring (its capacity stays). */
  reset(): void {
    this.head = 0;
    this.tail = 0;
  }

  get length(): number {
    return this.tail - this.head;
  }

  private grow(): void {
    const cap = this.mask + 1;
    const next = new Int32Array(cap << 1);
    const h = this.head & this.mask;
    next.set(this.ring.subarray(h, cap), 0);
    next.set(this.ring.subarray(0, h), cap - h);
    this.ring = next;
    this.head = 0;
    this.tail = cap;
    this.mask = (cap << 1) - 1;
  }
}
