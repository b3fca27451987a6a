// The ready queue, TypeScript twin of assembly/ready.ts: a FIFO ring of task ids and host
// tokens with a power-of-two capacity; head and tail are u32 counters kept in the control
// block (CTL_HEAD, CTL_TAIL), where the host pushes and pops too.
//
// Invariant: a live task is in the ring at most once (TASK_QUEUED is set exactly while it
// is); stale ids left by release() are skipped by pop(); tokens (<= TOKEN_MAX) come out as
// they went in. Cost: O(1), amortised growth.

import {
  CTL_HEAD,
  CTL_RING_MASK,
  CTL_TAIL,
  INITIAL_READY,
  NONE,
  SLOT_BITS,
  SLOT_MASK,
  TASK_FLAGS,
  TASK_GEN,
  TASK_LIVE,
  TASK_QUEUED,
  TASK_SWITCHES,
  TASK_WAKEUPS,
  TASK_WORDS,
} from "./constants.js";
import type { Control } from "./control.js";
import type { TaskTable } from "./tasks.js";

export class ReadyQueue {
  ring = new Int32Array(INITIAL_READY);
  private mask = INITIAL_READY - 1;

  constructor(
    private readonly tasks: TaskTable,
    private readonly control: Control,
  ) {
    control.words[CTL_RING_MASK] = this.mask;
  }

  /** Enqueues a live task that is not queued yet, or a token; false for NONE, stale, queued. */
  push(id: number): boolean {
    if (id < 0) {
      if (id === NONE) return false;
      this.append(id);
      return true;
    }
    const t = this.tasks;
    const r = t.liveRecord(id);
    if (r < 0) return false;
    const w = t.words;
    const flags = w[r + TASK_FLAGS]!;
    if (flags & TASK_QUEUED) return false;
    w[r + TASK_FLAGS] = flags | TASK_QUEUED;
    w[r + TASK_WAKEUPS]!++;
    this.append(id);
    return true;
  }

  private append(entry: number): void {
    const c = this.control.words;
    let tail = c[CTL_TAIL]!;
    if (((tail - c[CTL_HEAD]!) | 0) > this.mask) {
      this.grow();
      tail = c[CTL_TAIL]!;
    }
    this.ring[tail & this.mask] = entry;
    c[CTL_TAIL] = tail + 1;
  }

  /** Dequeues the oldest live id or token, or NONE. */
  pop(): number {
    const c = this.control.words;
    while (c[CTL_HEAD] !== c[CTL_TAIL]) {
      const id = this.shift();
      if (id !== NONE) return id;
    }
    return NONE;
  }

  /** Dequeues exactly one entry (the ring must not be empty): a live id, a token, or NONE. */
  shift(): number {
    const c = this.control.words;
    const head = c[CTL_HEAD]!;
    const id = this.ring[head & this.mask]!;
    c[CTL_HEAD] = head + 1;
    if (id < 0) return id;
    const t = this.tasks;
    const r = t.liveRecord(id);
    if (r < 0) return NONE;
    t.words[r + TASK_FLAGS]! &= ~TASK_QUEUED;
    return id;
  }

  /**
   * Dequeues exactly `count` entries (at most length) and writes the live ids, each with a
   * switch recorded, and the tokens among them to `out`, in order. Returns how many.
   */
  drainInto(out: Int32Array, count: number): number {
    const c = this.control.words;
    const ring = this.ring;
    const mask = this.mask;
    const w = this.tasks.words;
    const high = this.tasks.high;
    let head = c[CTL_HEAD]!;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const id = ring[head & mask]!;
      head = (head + 1) | 0;
      if (id >= 0) {
        // TaskTable.liveRecord, inlined: this loop runs once per task per tick.
        const slot = id & SLOT_MASK;
        if (slot >= high) continue;
        const r = slot * TASK_WORDS;
        const flags = w[r + TASK_FLAGS]!;
        if ((flags & TASK_LIVE) === 0 || w[r + TASK_GEN] !== id >>> SLOT_BITS) continue;
        w[r + TASK_FLAGS] = flags & ~TASK_QUEUED;
        w[r + TASK_SWITCHES]!++;
      }
      out[n++] = id;
    }
    c[CTL_HEAD] = head;
    return n;
  }

  /** Empties the ring (its capacity stays). */
  reset(): void {
    this.control.words[CTL_HEAD] = 0;
    this.control.words[CTL_TAIL] = 0;
  }

  get length(): number {
    const c = this.control.words;
    return (c[CTL_TAIL]! - c[CTL_HEAD]!) | 0;
  }

  private grow(): void {
    const c = this.control.words;
    const cap = this.mask + 1;
    const next = new Int32Array(cap << 1);
    const h = c[CTL_HEAD]! & this.mask;
    next.set(this.ring.subarray(h, cap), 0);
    next.set(this.ring.subarray(0, h), cap - h);
    this.ring = next;
    this.mask = (cap << 1) - 1;
    c[CTL_HEAD] = 0;
    c[CTL_TAIL] = cap;
    c[CTL_RING_MASK] = this.mask;
    this.control.bumpEpoch();
  }
}
