// Timers, TypeScript twin of assembly/timers.ts: a 4-ary min-heap ordered by
// (deadline, seq) over parallel typed arrays, and a table of generation-tagged handles.
//
// Invariants: the heap property on (deadline, seq); pos[t] is the heap index of armed timer
// t and -1 otherwise. seq is a float64 counter (exact to 2^53 arms; the wasm core uses a
// u64): equal deadlines fire in arming order. Cost: arm/cancel O(log n).

import {
  ERR_CAPACITY,
  ERR_DEADLINE,
  ERR_STALE,
  GEN_MASK,
  INITIAL_TIMERS,
  MAX_DEADLINE,
  MAX_SLOTS,
  SLOT_BITS,
  SLOT_MASK,
} from "./constants.js";
import type { ReadyQueue } from "./ready.js";
import { copyInto, type TaskTable } from "./tasks.js";

export class TimerHeap {
  // Timer table, indexed by timer slot.
  private gen = new Uint32Array(INITIAL_TIMERS);
  private task = new Int32Array(INITIAL_TIMERS);
  private pos = new Int32Array(INITIAL_TIMERS);
  private next = new Int32Array(INITIAL_TIMERS);
  private high = 0;
  private freeHead = -1;
  private freeTail = -1;
  // Heap nodes, indexed by heap position.
  private deadlines = new Float64Array(INITIAL_TIMERS);
  private seqs = new Float64Array(INITIAL_TIMERS);
  private slots = new Int32Array(INITIAL_TIMERS);
  length = 0;
  private seq = 0;

  constructor(
    private readonly tasks: TaskTable,
    private readonly ready: ReadyQueue,
  ) {}

  sleepUntil(id: number, deadline: number): number {
    if (this.tasks.liveSlot(id) < 0) return ERR_STALE;
    if (Number.isNaN(deadline)) return ERR_DEADLINE;
    if (deadline > MAX_DEADLINE) deadline = MAX_DEADLINE;
    const slot = this.alloc();
    if (slot < 0) return slot;
    this.task[slot] = id;
    if (this.length === this.deadlines.length) this.growHeap();
    this.siftUp(this.length++, deadline, this.seq++, slot);
    return (this.gen[slot]! << SLOT_BITS) | slot;
  }

  cancel(handle: number): boolean {
    const slot = this.armedSlot(handle);
    if (slot < 0) return false;
    this.removeAt(this.pos[slot]!);
    this.free(slot);
    return true;
  }

  deadlineOf(handle: number): number {
    const slot = this.armedSlot(handle);
    return slot < 0 ? NaN : this.deadlines[this.pos[slot]!]!;
  }

  advance(now: number): number {
    if (Number.isNaN(now)) return ERR_DEADLINE;
    let moved = 0;
    const deadlines = this.deadlines;
    while (this.length > 0 && deadlines[0]! <= now) {
      const slot = this.slots[0]!;
      const id = this.task[slot]!;
      this.removeAt(0);
      this.free(slot);
      if (this.ready.push(id)) moved++;
    }
    return moved;
  }

  /** Disarms every timer (generations move on: every handle handed out becomes stale). */
  reset(): void {
    while (this.length > 0) this.free(this.slots[--this.length]!);
  }

  nextDeadline(): number {
    return this.length > 0 ? this.deadlines[0]! : Infinity;
  }

  private armedSlot(handle: number): number {
    if (handle < 0) return -1;
    const slot = handle & SLOT_MASK;
    if (slot >= this.high) return -1;
    if (this.gen[slot] !== handle >>> SLOT_BITS) return -1;
    if (this.pos[slot]! < 0) return -1;
    return slot;
  }

  private alloc(): number {
    let slot: number;
    if (this.freeHead >= 0) {
      slot = this.freeHead;
      this.freeHead = this.next[slot]!;
      if (this.freeHead < 0) this.freeTail = -1;
    } else {
      if (this.high === MAX_SLOTS) return ERR_CAPACITY;
      if (this.high === this.gen.length) this.growTable();
      slot = this.high++;
    }
    return slot;
  }

  private free(slot: number): void {
    this.gen[slot] = (this.gen[slot]! + 1) & GEN_MASK;
    this.pos[slot] = -1;
    this.next[slot] = -1;
    if (this.freeTail >= 0) this.next[this.freeTail] = slot;
    else this.freeHead = slot;
    this.freeTail = slot;
  }

  private place(i: number, deadline: number, seq: number, slot: number): void {
    this.deadlines[i] = deadline;
    this.seqs[i] = seq;
    this.slots[i] = slot;
    this.pos[slot] = i;
  }

  private siftUp(i: number, deadline: number, seq: number, slot: number): void {
    const d = this.deadlines;
    const s = this.seqs;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pd = d[p]!;
      if (pd < deadline || (pd === deadline && s[p]! < seq)) break;
      this.place(i, pd, s[p]!, this.slots[p]!);
      i = p;
    }
    this.place(i, deadline, seq, slot);
  }

  private siftDown(i: number, deadline: number, seq: number, slot: number): void {
    const d = this.deadlines;
    const s = this.seqs;
    const len = this.length;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= len) break;
      let best = first;
      let bd = d[first]!;
      let bs = s[first]!;
      const last = Math.min(first + 4, len);
      for (let c = first + 1; c < last; c++) {
        const cd = d[c]!;
        if (cd < bd || (cd === bd && s[c]! < bs)) {
          best = c;
          bd = cd;
          bs = s[c]!;
        }
      }
      if (deadline < bd || (deadline === bd && seq < bs)) break;
      this.place(i, bd, bs, this.slots[best]!);
      i = best;
    }
    this.place(i, deadline, seq, slot);
  }

  private removeAt(i: number): void {
    const last = --this.length;
    if (i === last) return;
    const d = this.deadlines[last]!;
    const s = this.seqs[last]!;
    const slot = this.slots[last]!;
    if (i > 0) {
      const p = (i - 1) >> 2;
      const pd = this.deadlines[p]!;
      if (d < pd || (d === pd && s < this.seqs[p]!)) {
        this.siftUp(i, d, s, slot);
        return;
      }
    }
    this.siftDown(i, d, s, slot);
  }

  private growTable(): void {
    const n = this.gen.length << 1;
    this.gen = copyInto(new Uint32Array(n), this.gen);
    this.task = copyInto(new Int32Array(n), this.task);
    this.pos = copyInto(new Int32Array(n), this.pos);
    this.next = copyInto(new Int32Array(n), this.next);
  }

  private growHeap(): void {
    const n = this.deadlines.length << 1;
    this.deadlines = copyInto(new Float64Array(n), this.deadlines);
    this.seqs = copyInto(new Float64Array(n), this.seqs);
    this.slots = copyInto(new Int32Array(n), this.slots);
  }
}
