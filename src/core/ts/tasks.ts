// The task table, TypeScript twin of assembly/tasks.ts: the same slots, generations and
// FIFO free list, kept as parallel typed arrays (one per field) instead of 16-byte records.
//
// Invariant: slot s is live iff `flags[s] & TASK_LIVE`; an id is valid iff its slot is
// live and its generation equals gen[s]. While a slot is free, wakeups[s] links it into
// the free list. Cost: O(1) per operation, amortised O(1) growth.

import {
  ERR_CAPACITY,
  GEN_MASK,
  INITIAL_TASKS,
  MAX_SLOTS,
  SLOT_BITS,
  SLOT_MASK,
  TASK_LIVE,
} from "./constants.js";

export class TaskTable {
  gen = new Uint32Array(INITIAL_TASKS);
  flags = new Uint8Array(INITIAL_TASKS);
  switches = new Uint32Array(INITIAL_TASKS);
  /** Wake-up count while live; next free slot while free (a union, as in the wasm core). */
  wakeups = new Int32Array(INITIAL_TASKS);
  high = 0;
  live = 0;
  private freeHead = -1;
  private freeTail = -1;

  /** The slot of a valid id, or -1 when the id is stale, free or out of range. */
  liveSlot(id: number): number {
    if (id < 0) return -1;
    const slot = id & SLOT_MASK;
    if (slot >= this.high) return -1;
    if ((this.flags[slot]! & TASK_LIVE) === 0) return -1;
    if (this.gen[slot] !== id >>> SLOT_BITS) return -1;
    return slot;
  }

  spawn(): number {
    let slot: number;
    if (this.freeHead >= 0) {
      slot = this.freeHead;
      this.freeHead = this.wakeups[slot]!;
      if (this.freeHead < 0) this.freeTail = -1;
    } else {
      if (this.high === MAX_SLOTS) return ERR_CAPACITY;
      if (this.high === this.gen.length) this.grow();
      slot = this.high++;
    }
    this.flags[slot] = TASK_LIVE;
    this.switches[slot] = 0;
    this.wakeups[slot] = 0;
    this.live++;
    return (this.gen[slot]! << SLOT_BITS) | slot;
  }

  release(id: number): boolean {
    const slot = this.liveSlot(id);
    if (slot < 0) return false;
    this.gen[slot] = (this.gen[slot]! + 1) & GEN_MASK;
    this.flags[slot] = 0;
    this.wakeups[slot] = -1;
    if (this.freeTail >= 0) this.wakeups[this.freeTail] = slot;
    else this.freeHead = slot;
    this.freeTail = slot;
    this.live--;
    return true;
  }

  /** Releases every live task (generations move on: every id handed out becomes stale). */
  reset(): void {
    for (let slot = 0; slot < this.high; slot++)
      if (this.flags[slot]! & TASK_LIVE) this.release((this.gen[slot]! << SLOT_BITS) | slot);
  }

  private grow(): void {
    const n = this.gen.length << 1;
    this.gen = copyInto(new Uint32Array(n), this.gen);
    this.flags = copyInto(new Uint8Array(n), this.flags);
    this.switches = copyInto(new Uint32Array(n), this.switches);
    this.wakeups = copyInto(new Int32Array(n), this.wakeups);
  }
}

export function copyInto<T extends { set(a: ArrayLike<number>): void }>(
  to: T,
  from: ArrayLike<number>,
): T {
  to.set(from);
  return to;
}
