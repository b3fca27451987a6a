// The task table, TypeScript twin of assembly/tasks.ts: the same slots, generations and
// FIFO free list, in the same record layout (TASK_WORDS i32s per slot in one Int32Array),
// so the host reads and writes both cores' records with the same code (src/core/port.ts).
//
// Invariant: slot s is live iff its TASK_LIVE flag is set; an id is valid iff its slot is
// live and its generation matches. While a slot is free, its wakeups word links it into
// the free list. Cost: O(1) per operation, amortised O(1) growth.

import {
  CTL_TASK_COUNT,
  CTL_TASK_HIGH,
  ERR_CAPACITY,
  GEN_MASK,
  INITIAL_TASKS,
  MAX_SLOTS,
  SLOT_BITS,
  SLOT_MASK,
  TASK_FLAGS,
  TASK_GEN,
  TASK_LIVE,
  TASK_SWITCHES,
  TASK_WAKEUPS,
  TASK_WORDS,
} from "./constants.js";
import type { Control } from "./control.js";

export class TaskTable {
  /** TASK_WORDS words per slot: gen, flags, switches, wakeups (next free while free). */
  words = new Int32Array(INITIAL_TASKS * TASK_WORDS);
  high = 0;
  live = 0;
  private freeHead = -1;
  private freeTail = -1;

  constructor(private readonly control: Control) {}

  /** The word index of a valid id's record, or -1 when the id is stale, free or out of range. */
  liveRecord(id: number): number {
    if (id < 0) return -1;
    const slot = id & SLOT_MASK;
    if (slot >= this.high) return -1;
    const r = slot * TASK_WORDS;
    const w = this.words;
    if ((w[r + TASK_FLAGS]! & TASK_LIVE) === 0) return -1;
    if (w[r + TASK_GEN] !== id >>> SLOT_BITS) return -1;
    return r;
  }

  spawn(): number {
    let slot: number;
    if (this.freeHead >= 0) {
      slot = this.freeHead;
      this.freeHead = this.words[slot * TASK_WORDS + TASK_WAKEUPS]!;
      if (this.freeHead < 0) this.freeTail = -1;
    } else {
      if (this.high === MAX_SLOTS) return ERR_CAPACITY;
      if (this.high * TASK_WORDS === this.words.length) this.grow();
      slot = this.high++;
      this.control.words[CTL_TASK_HIGH] = this.high;
    }
    const r = slot * TASK_WORDS;
    const w = this.words;
    w[r + TASK_FLAGS] = TASK_LIVE;
    w[r + TASK_SWITCHES] = 0;
    w[r + TASK_WAKEUPS] = 0;
    this.control.words[CTL_TASK_COUNT] = ++this.live;
    return (w[r + TASK_GEN]! << SLOT_BITS) | slot;
  }

  release(id: number): boolean {
    const r = this.liveRecord(id);
    if (r < 0) return false;
    const slot = id & SLOT_MASK;
    const w = this.words;
    // A new generation makes every id handed out for this slot stale, including one still
    // sitting in the ready queue or named by an armed timer: those are skipped when reached.
    w[r + TASK_GEN] = (w[r + TASK_GEN]! + 1) & GEN_MASK;
    w[r + TASK_FLAGS] = 0;
    w[r + TASK_WAKEUPS] = -1;
    if (this.freeTail >= 0) w[this.freeTail * TASK_WORDS + TASK_WAKEUPS] = slot;
    else this.freeHead = slot;
    this.freeTail = slot;
    this.control.words[CTL_TASK_COUNT] = --this.live;
    return true;
  }

  /** Releases every live task (generations move on: every id handed out becomes stale). */
  reset(): void {
    const w = this.words;
    for (let slot = 0; slot < this.high; slot++) {
      const r = slot * TASK_WORDS;
      if (w[r + TASK_FLAGS]! & TASK_LIVE) this.release((w[r + TASK_GEN]! << SLOT_BITS) | slot);
    }
  }

  private grow(): void {
    this.words = copyInto(new Int32Array(this.words.length << 1), this.words);
    this.control.bumpEpoch();
  }
}

export function copyInto<T extends { set(a: ArrayLike<number>): void }>(
  to: T,
  from: ArrayLike<number>,
): T {
  to.set(from);
  return to;
}
