// StableHeap: the binary min-heap behind PriorityQueue, stable and exception-safe.
//
// HOW: two parallel arrays, `items` and `seqs`; slot i's children are 2i+1 and 2i+2. Each
// item carries the sequence number of its insertion and ties on `compare` are broken by
// it, so equal keys come out first-in first-out (heapq alone is not stable).
//
// Exception safety: `compare` is user code (or the default order, which throws on keys it
// cannot order) and may throw in the middle of a sift. add() finds the final slot with
// comparisons only and moves items afterwards; take() undoes its moves on a throw. Either
// way a failed call leaves the heap exactly as it was, and the caller sees the error.
//
// Invariant: compare-then-seq order holds between every slot and its parent.
//
// Cost: add and take O(log n) comparisons; no allocation beyond the arrays' growth.

import { describe } from "../errors.js";

/**
 * Orders two items: negative if `a` comes first, 0 if equal, positive if after.
 *
 * @example
 * ```ts
 * const byDue: Compare<Job> = (a, b) => a.due - b.due;
 * ```
 */
export type Compare<T> = (a: T, b: T) => number;

/**
 * A min-heap of items under `compare`, FIFO among equal items.
 *
 * @example
 * ```ts
 * const h = new StableHeap<number>((a, b) => a - b);
 * h.add(3); h.add(1);
 * h.take(); // 1
 * ```
 */
export class StableHeap<T> {
  private readonly items: T[] = [];
  private readonly seqs: number[] = [];
  private nextSeq = 0;

  constructor(private readonly compare: Compare<T>) {}

  /** How many items the heap holds. */
  get size(): number {
    return this.items.length;
  }

  /** Inserts `item`; if `compare` throws, the heap is unchanged. */
  add(item: T): void {
    const items = this.items;
    const seqs = this.seqs;
    // Phase 1, comparisons only: where does the item settle? (A newer item never goes
    // before an equal older one, so `< 0` is the whole test.)
    let slot = items.length;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (this.order(item, items[parent] as T) >= 0) break;
      slot = parent;
    }
    // Phase 2, moves only: shift the path's parents down one level.
    let hole = items.length;
    while (hole > slot) {
      const parent = (hole - 1) >> 1;
      items[hole] = items[parent] as T;
      seqs[hole] = seqs[parent] as number;
      hole = parent;
    }
    items[slot] = item;
    seqs[slot] = this.nextSeq++;
  }

  /** Removes and returns the first item; if `compare` throws, the heap is unchanged. */
  take(): T {
    const items = this.items;
    const seqs = this.seqs;
    const top = items[0] as T;
    const topSeq = seqs[0] as number;
    const last = items.length - 1;
    if (last === 0) {
      items.pop();
      seqs.pop();
      return top;
    }
    // Sift the last item down from the root through the first `last` slots; it stays in
    // place at the end until the sift succeeds.
    const item = items[last] as T;
    const seq = seqs[last] as number;
    let hole = 0;
    try {
      for (;;) {
        let child = 2 * hole + 1;
        if (child >= last) break;
        const right = child + 1;
        if (right < last && this.before(right, items[child] as T, seqs[child] as number))
          child = right;
        if (!this.before(child, item, seq)) break;
        items[hole] = items[child] as T;
        seqs[hole] = seqs[child] as number;
        hole = child;
      }
    } catch (e) {
      // Undo the moves: each slot on the path from the root got its child's item.
      while (hole > 0) {
        const parent = (hole - 1) >> 1;
        items[hole] = items[parent] as T;
        seqs[hole] = seqs[parent] as number;
        hole = parent;
      }
      items[0] = top;
      seqs[0] = topSeq;
      throw e;
    }
    items[hole] = item;
    seqs[hole] = seq;
    items.pop();
    seqs.pop();
    return top;
  }

  /** Does slot `i`'s item come before (`item`, `seq`)? */
  private before(i: number, item: T, seq: number): boolean {
    const c = this.order(this.items[i] as T, item);
    return c < 0 || (c === 0 && (this.seqs[i] as number) < seq);
  }

  /** `compare`, checked: a result that is not a number would corrupt the heap silently. */
  private order(a: T, b: T): number {
    const c = this.compare(a, b);
    if (typeof c !== "number" || Number.isNaN(c))
      throw new TypeError(
        `spindle: a PriorityQueue compare function must return a number, got ${describe(c)}`,
      );
    return c;
  }
}
