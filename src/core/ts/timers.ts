// Timers, TypeScript twin of assembly/timers.ts — read that file's header for how a timer
// lives (next-fit slot → armed bit → pending buffer → wheel or heap → fired or collected)
// and why the merge of wheel and heap is exact. This twin keeps the same tables (slot
// generations, deadlines, the free and armed bitmaps, the pending buffer) as typed arrays,
// so the host arms and disarms into both cores with the same code (src/core/port.ts).

import {
  CTL_ARMED,
  CTL_CURSOR,
  CTL_FREE_COUNT,
  CTL_NEXT_DIRTY,
  CTL_PENDING_LEN,
  CTL_TIMER_CAP,
  CTL_TOMBS,
  ERR_DEADLINE,
  INITIAL_TIMERS,
  MAX_DEADLINE,
  MAX_SLOTS,
  PENDING_CAPACITY,
  PENDING_SLOT,
  PENDING_TARGET,
  PENDING_WORDS,
} from "./constants.js";
import { NEXT_F64, type Control } from "./control.js";
import { Overflow } from "./overflow.js";
import type { ReadyQueue } from "./ready.js";
import { copyInto } from "./tasks.js";
import { Wheel } from "./wheel.js";

/** f64 elements per pending entry: entry i's deadline is pendingF64[i * 2]. */
const PENDING_F64 = PENDING_WORDS >> 1;

export class Timers {
  /** Generation of each slot, bumped at arm. */
  gens = new Int32Array(0);
  /** Deadline of each slot's latest timer. */
  deadlines = new Float64Array(0);
  /** Bit s of word s >> 5: slot s is free. */
  freeBits = new Int32Array(0);
  /** Bit s of word s >> 5: slot s holds an armed timer. */
  armedBits = new Int32Array(0);
  /** PENDING_CAPACITY entries of PENDING_WORDS words: deadline (f64), slot, target. */
  readonly pending = new Int32Array(PENDING_CAPACITY * PENDING_WORDS);
  readonly pendingF64 = new Float64Array(this.pending.buffer);
  private cap = 0;
  private readonly wheel = new Wheel();
  private readonly overflow = new Overflow();
  /** Intake order of the timers filed into the heap. */
  private seq = 0;
  /** The `now` of the latest advance: the wheel never restarts later than it. */
  private lastNow = 0;
  private firedLive = false;
  /** Tombstone collector, bound once (a method reference would allocate per call). */
  private readonly keepLive = (timer: number): boolean => this.keep(timer);

  constructor(
    private readonly control: Control,
    private readonly queue: ReadyQueue,
  ) {
    this.resize(INITIAL_TIMERS);
    control.f64[NEXT_F64] = Infinity;
  }

  /** Replaces the tables by ones of `next` slots; the new slots are free, the cursor on them. */
  private resize(next: number): void {
    const old = this.cap;
    this.gens = copyInto(new Int32Array(next), this.gens);
    this.deadlines = copyInto(new Float64Array(next), this.deadlines);
    this.freeBits = copyInto(new Int32Array(next >> 5), this.freeBits);
    this.freeBits.fill(-1, old >> 5);
    this.armedBits = copyInto(new Int32Array(next >> 5), this.armedBits);
    this.cap = next;
    const c = this.control.words;
    c[CTL_TIMER_CAP] = next;
    c[CTL_CURSOR] = old;
    c[CTL_FREE_COUNT] = c[CTL_FREE_COUNT]! + next - old;
    this.control.bumpEpoch();
  }

  private isArmed(slot: number): boolean {
    return (this.armedBits[slot >> 5]! & (1 << (slot & 31))) !== 0;
  }

  private free(slot: number): void {
    this.freeBits[slot >> 5]! |= 1 << (slot & 31);
    this.control.words[CTL_FREE_COUNT]!++;
  }

  /** Takes in the pending arms, collects tombstones if due, and makes room (as the wasm sync). */
  sync(): void {
    this.consume();
    this.collect();
    if (this.control.words[CTL_FREE_COUNT]! < this.cap >> 1 && this.cap < MAX_SLOTS)
      this.resize(Math.min(this.cap << 1, MAX_SLOTS));
  }

  private consume(): void {
    const c = this.control.words;
    const n = c[CTL_PENDING_LEN]!;
    if (n === 0) return;
    const wheel = this.wheel;
    if (wheel.count === 0) this.rebase(n);
    const p = this.pending;
    const pf = this.pendingF64;
    for (let i = 0; i < n; i++) {
      const slot = p[i * PENDING_WORDS + PENDING_SLOT]!;
      if (!this.isArmed(slot)) {
        this.free(slot);
        c[CTL_TOMBS]!--;
        continue;
      }
      const deadline = pf[i * PENDING_F64]!;
      const target = p[i * PENDING_WORDS + PENDING_TARGET]!;
      if (wheel.fits(deadline)) wheel.insert(deadline, slot, target);
      else this.overflow.push(deadline, this.seq++, slot, target);
    }
    c[CTL_PENDING_LEN] = 0;
  }

  /** The wheel is empty: restart it at the earliest of the latest now and the pending arms. */
  private rebase(n: number): void {
    let low = this.lastNow;
    for (let i = 0; i < n; i++) low = Math.min(low, this.pendingF64[i * PENDING_F64]!);
    if (low < 0) low = 0;
    this.wheel.rebase(low >= MAX_DEADLINE ? MAX_DEADLINE : Math.floor(low));
  }

  private keep(timer: number): boolean {
    if (this.isArmed(timer)) return true;
    this.free(timer);
    this.control.words[CTL_TOMBS]!--;
    return false;
  }

  private collect(): void {
    const c = this.control.words;
    if (c[CTL_TOMBS]! <= c[CTL_ARMED]!) return;
    this.wheel.sweep(this.keepLive);
    this.overflow.filter(this.keepLive);
  }

  private fire(slot: number, target: number): number {
    const a = this.armedBits;
    const w = slot >> 5;
    const bit = 1 << (slot & 31);
    const bits = a[w]!;
    this.free(slot);
    const c = this.control.words;
    if ((bits & bit) === 0) {
      c[CTL_TOMBS]!--;
      return 0;
    }
    a[w] = bits ^ bit;
    c[CTL_ARMED]!--;
    this.firedLive = true;
    return this.queue.push(target) ? 1 : 0;
  }

  private fireOverflow(limit: number): number {
    const o = this.overflow;
    let moved = 0;
    while (o.length > 0 && o.topDeadline() <= limit) {
      const slot = o.topTimer();
      const target = o.topTarget();
      o.pop();
      moved += this.fire(slot, target);
    }
    return moved;
  }

  /** Fires every timer due at `now`, in (deadline, arming order); see assembly/timers.ts. */
  advance(now: number): number {
    if (Number.isNaN(now)) return ERR_DEADLINE;
    this.consume();
    this.collect();
    this.lastNow = now;
    this.firedLive = false;
    let moved = 0;
    const wheel = this.wheel;
    const o = this.overflow;
    if (now >= wheel.elapsed) {
      const target = now >= MAX_DEADLINE ? MAX_DEADLINE : Math.floor(now);
      for (let n = wheel.takeDue(target); n > 0; n = wheel.takeDue(target)) {
        const a = wheel.scratch;
        let k = 0;
        for (; k < n; k++) {
          const e = k * 3;
          const deadline = a[e]!;
          if (deadline > now) break;
          // Heap timers first on a tie: they are the older.
          if (o.length > 0 && o.topDeadline() <= deadline) moved += this.fireOverflow(deadline);
          moved += this.fire(a[e + 1]!, a[e + 2]!);
        }
        // Entries left are in the slot at floor(now): not due yet, nor is anything after.
        if (k < n) {
          wheel.putBack(k, n);
          break;
        }
      }
      wheel.advanceTo(target);
    }
    moved += this.fireOverflow(now);
    if (this.firedLive) this.control.words[CTL_NEXT_DIRTY] = 1;
    return moved;
  }

  /** The earliest armed deadline, exactly; refreshes CTL_NEXT. */
  nextDeadline(): number {
    this.consume();
    this.collect();
    let next = Infinity;
    const wheel = this.wheel;
    for (let s = wheel.earliestSlot(); s >= 0; s = wheel.earliestSlot()) {
      next = wheel.filterMin(s, this.keepLive);
      if (next !== Infinity) break;
    }
    const o = this.overflow;
    while (o.length > 0) {
      const slot = o.topTimer();
      if (this.isArmed(slot)) {
        next = Math.min(next, o.topDeadline());
        break;
      }
      o.pop();
      this.keep(slot);
    }
    this.control.f64[NEXT_F64] = next;
    this.control.words[CTL_NEXT_DIRTY] = 0;
    return next;
  }

  /** Disarms every timer (every handle handed out becomes stale: no armed bit is left). */
  reset(): void {
    const c = this.control.words;
    c[CTL_PENDING_LEN] = 0;
    this.freeBits.fill(-1);
    this.armedBits.fill(0);
    c[CTL_FREE_COUNT] = this.cap;
    c[CTL_CURSOR] = 0;
    this.wheel.reset();
    this.overflow.reset();
    c[CTL_ARMED] = 0;
    c[CTL_TOMBS] = 0;
    c[CTL_NEXT_DIRTY] = 0;
    this.control.f64[NEXT_F64] = Infinity;
    this.lastNow = 0;
  }
}
