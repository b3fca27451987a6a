// The overflow heap, TypeScript twin of assembly/overflow.ts: a 4-ary min-heap ordered by
// (deadline, seq) over parallel typed arrays, for the timers the wheel cannot hold (before
// its time, in another 2^36 ms epoch). Deletion is lazy: cancelled timers are popped and
// freed at the top, or filtered out by a sweep.
//
// Invariant: the heap property on (deadline, seq); seq is the core's intake order (the
// wasm core keeps a u64, this twin a float64, exact to 2^53 timers). Cost: push and pop
// O(log n), filter O(n).

import { copyInto } from "./tasks.js";

/** Nodes at first; doubles as it fills. Small: most programs never overflow the wheel. */
const INITIAL_NODES = 64;

export class Overflow {
  private deadlines = new Float64Array(INITIAL_NODES);
  private seqs = new Float64Array(INITIAL_NODES);
  private timers = new Int32Array(INITIAL_NODES);
  private targets = new Int32Array(INITIAL_NODES);
  length = 0;

  push(deadline: number, seq: number, timer: number, target: number): void {
    if (this.length === this.deadlines.length) this.grow();
    this.siftUp(this.length++, deadline, seq, timer, target);
  }

  /** The earliest deadline (the heap must not be empty). */
  topDeadline(): number {
    return this.deadlines[0]!;
  }

  /** The timer slot of the earliest node (the heap must not be empty). */
  topTimer(): number {
    return this.timers[0]!;
  }

  /** The target of the earliest node (the heap must not be empty). */
  topTarget(): number {
    return this.targets[0]!;
  }

  /** Removes the earliest node (the heap must not be empty). */
  pop(): void {
    const last = --this.length;
    if (last === 0) return;
    this.siftDown(
      0,
      this.deadlines[last]!,
      this.seqs[last]!,
      this.timers[last]!,
      this.targets[last]!,
    );
  }

  /** Keeps the nodes whose timer `keep` accepts (called once each), then re-heapifies. */
  filter(keep: (timer: number) => boolean): void {
    const d = this.deadlines;
    const s = this.seqs;
    const t = this.timers;
    const g = this.targets;
    let n = 0;
    for (let i = 0; i < this.length; i++) {
      if (!keep(t[i]!)) continue;
      d[n] = d[i]!;
      s[n] = s[i]!;
      t[n] = t[i]!;
      g[n] = g[i]!;
      n++;
    }
    this.length = n;
    for (let i = (n - 2) >> 2; i >= 0; i--) this.siftDown(i, d[i]!, s[i]!, t[i]!, g[i]!);
  }

  reset(): void {
    this.length = 0;
  }

  private place(i: number, deadline: number, seq: number, timer: number, target: number): void {
    this.deadlines[i] = deadline;
    this.seqs[i] = seq;
    this.timers[i] = timer;
    this.targets[i] = target;
  }

  /** Copies node `from` into node `to`. */
  private move(to: number, from: number): void {
    this.place(
      to,
      this.deadlines[from]!,
      this.seqs[from]!,
      this.timers[from]!,
      this.targets[from]!,
    );
  }

  private siftUp(i: number, deadline: number, seq: number, timer: number, target: number): void {
    const d = this.deadlines;
    const s = this.seqs;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pd = d[p]!;
      if (pd < deadline || (pd === deadline && s[p]! < seq)) break;
      this.move(i, p);
      i = p;
    }
    this.place(i, deadline, seq, timer, target);
  }

  private siftDown(i: number, deadline: number, seq: number, timer: number, target: number): void {
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
      this.move(i, best);
      i = best;
    }
    this.place(i, deadline, seq, timer, target);
  }

  private grow(): void {
    const n = this.deadlines.length << 1;
    this.deadlines = copyInto(new Float64Array(n), this.deadlines);
    this.seqs = copyInto(new Float64Array(n), this.seqs);
    this.timers = copyInto(new Int32Array(n), this.timers);
    this.targets = copyInto(new Int32Array(n), this.targets);
  }
}
