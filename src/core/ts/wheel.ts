// The timer wheel, TypeScript twin of assembly/wheel.ts — read that file's header for the
// tutorial, the table of levels and the invariants; this one mirrors it operation for
// operation. What differs is representation:
//
//   chunks[c]  ──▶ Float64Array(31 × 3): entry j is (deadline, timer, target) at 3j
//   links[c]   ──▶ the next chunk of c's slot, or -1 (a free chunk: the next free one)
//   heads, tails, headPos, tailLen, sizes ──▶ Int32Array(384), one word per slot
//   occupied   ──▶ Int32Array(12): level L's 64 bits as words 2L (slots 0-31), 2L+1
//
// Ticks go up to MAX_DEADLINE (2^53 > ticks > 2^32), so where the wasm core shifts u64s this
// twin divides by powers of two (exact in float64) and takes the low bits with `& 63`
// (ToInt32 keeps the low 32 bits of any integer below 2^53).

/** Bits of a tick per level (64 slots): see assembly/wheel.ts. */
const LEVEL_BITS = 6;
const SLOTS = 1 << LEVEL_BITS;
/** Levels: 6 × 6 bits = 2^36 ms, about 2.2 years, as tokio. */
const LEVELS = 6;
const EPOCH = 2 ** (LEVELS * LEVEL_BITS);
/** The largest tick: the clamp of every deadline. */
const MAX_TICK = 8.64e15;
/** 64^L, for L = 0 .. LEVELS. */
const SPAN = Array.from({ length: LEVELS + 1 }, (_, l) => 2 ** (l * LEVEL_BITS));
/** Float64 elements per entry: deadline, timer, target. */
const ENTRY = 3;
/** Entries per chunk, as the wasm core's (see assembly/wheel.ts). */
const CHUNK_ENTRIES = 31;
/** Slots of at most this many entries are sorted by insertion; larger ones by merging. */
const INSERTION_SORT_MAX = 32;

/** Trailing zeros of a non-zero 32-bit word. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

export class Wheel {
  private chunks: Float64Array[] = [];
  private links = new Int32Array(64);
  private freeChunk = -1;
  private readonly heads = new Int32Array(LEVELS * SLOTS).fill(-1);
  private readonly tails = new Int32Array(LEVELS * SLOTS).fill(-1);
  private readonly headPos = new Int32Array(LEVELS * SLOTS);
  private readonly tailLen = new Int32Array(LEVELS * SLOTS);
  private readonly sizes = new Int32Array(LEVELS * SLOTS);
  private readonly occupied = new Int32Array(LEVELS * 2);
  /** The wheel's time (a whole ms): every entry's tick is at or after it. */
  elapsed = 0;
  private epochEnd = EPOCH;
  /** Entries in the wheel, tombstones included. */
  count = 0;
  /** A slot's entries, taken out to fire or filter: entry i at 3i. */
  scratch = new Float64Array(0);
  private spare = new Float64Array(0);

  private setElapsed(tick: number): void {
    this.elapsed = tick;
    this.epochEnd = (Math.floor(tick / EPOCH) + 1) * EPOCH;
  }

  /** Can the wheel hold a timer with this deadline? (False for NaN too.) */
  fits(deadline: number): boolean {
    return deadline >= this.elapsed && deadline < this.epochEnd;
  }

  /** Moves the wheel's time anywhere: only while it holds nothing. */
  rebase(tick: number): void {
    if (this.count !== 0) throw new Error("spindle core: wheel rebased while not empty (a bug)");
    this.setElapsed(tick > MAX_TICK ? MAX_TICK : tick);
  }

  /** The level a tick in the wheel's epoch belongs to, at the wheel's current time. */
  private levelFor(tick: number): number {
    const e = this.elapsed;
    // Bits 18-35 of the tick (its epoch's bits 36+ equal elapsed's), then bits 0-17.
    const high = ((tick / 262144) ^ (e / 262144)) & 0x3ffff;
    if (high !== 0) return ((49 - Math.clz32(high)) / LEVEL_BITS) | 0;
    return ((31 - Math.clz32(((tick ^ e) & 0x3ffff) | (SLOTS - 1))) / LEVEL_BITS) | 0;
  }

  /** Appends a timer the wheel can hold (fits) to its slot. */
  insert(deadline: number, timer: number, target: number): void {
    const tick = Math.floor(deadline);
    const level = this.levelFor(tick);
    const index = (tick / SPAN[level]!) & (SLOTS - 1);
    this.append(level * SLOTS + index, deadline, timer, target);
    this.count++;
  }

  private takeChunk(): number {
    const c = this.freeChunk;
    if (c >= 0) {
      this.freeChunk = this.links[c]!;
      return c;
    }
    const made = this.chunks.length;
    if (made === this.links.length) {
      const links = new Int32Array(made << 1);
      links.set(this.links);
      this.links = links;
    }
    this.chunks.push(new Float64Array(CHUNK_ENTRIES * ENTRY));
    return made;
  }

  private append(s: number, deadline: number, timer: number, target: number): void {
    let tail = this.tails[s]!;
    let len = this.tailLen[s]!;
    if (tail < 0 || len === CHUNK_ENTRIES) {
      const c = this.takeChunk();
      this.links[c] = -1;
      if (tail < 0) {
        this.heads[s] = c;
        this.headPos[s] = 0;
        const index = s & (SLOTS - 1);
        this.occupied[((s >> LEVEL_BITS) << 1) + (index >> 5)]! |= 1 << (index & 31);
      } else {
        this.links[tail] = c;
      }
      this.tails[s] = c;
      tail = c;
      len = 0;
    }
    const a = this.chunks[tail]!;
    const e = len * ENTRY;
    a[e] = deadline;
    a[e + 1] = timer;
    a[e + 2] = target;
    this.tailLen[s] = len + 1;
    this.sizes[s]!++;
  }

  /** Empties slot s: its chunks go back to the pool, its bit is cleared. */
  private clearSlot(s: number): void {
    let c = this.heads[s]!;
    while (c >= 0) {
      const next = this.links[c]!;
      this.links[c] = this.freeChunk;
      this.freeChunk = c;
      c = next;
    }
    this.heads[s] = -1;
    this.tails[s] = -1;
    this.headPos[s] = 0;
    this.tailLen[s] = 0;
    this.sizes[s] = 0;
    const index = s & (SLOTS - 1);
    this.occupied[((s >> LEVEL_BITS) << 1) + (index >> 5)]! &= ~(1 << (index & 31));
  }

  /** Copies slot s's live entries, in order, into `scratch` and empties the slot. */
  private takeOut(s: number): number {
    const n = this.sizes[s]!;
    if (this.scratch.length < n * ENTRY) {
      const cap = Math.max(n, (this.scratch.length / ENTRY) * 2);
      this.scratch = new Float64Array(cap * ENTRY);
      this.spare = new Float64Array(cap * ENTRY);
    }
    const scratch = this.scratch;
    let c = this.heads[s]!;
    let from = this.headPos[s]!;
    let k = 0;
    while (c >= 0) {
      const next = this.links[c]!;
      const to = next < 0 ? this.tailLen[s]! : CHUNK_ENTRIES;
      scratch.set(this.chunks[c]!.subarray(from * ENTRY, to * ENTRY), k * ENTRY);
      k += to - from;
      from = 0;
      c = next;
    }
    this.count -= n;
    this.clearSlot(s);
    return n;
  }

  /** The earliest occupied slot (level · 64 + index), or -1 when the wheel is empty. */
  earliestSlot(): number {
    const o = this.occupied;
    for (let level = 0; level < LEVELS; level++) {
      const low = o[level << 1]!;
      if (low !== 0) return level * SLOTS + ctz32(low);
      const high = o[(level << 1) + 1]!;
      if (high !== 0) return level * SLOTS + 32 + ctz32(high);
    }
    return -1;
  }

  /** The first tick slot s covers, at the wheel's current time. */
  private slotStart(s: number): number {
    const level = s >> LEVEL_BITS;
    const block = SPAN[level + 1]!;
    return Math.floor(this.elapsed / block) * block + (s & (SLOTS - 1)) * SPAN[level]!;
  }

  /**
   * Takes out the next level-0 slot whose tick is at or before `target` (cascading the
   * higher slots that start on the way), sorted stably by deadline into `scratch`. Returns
   * how many entries it took; 0 when no slot is due.
   */
  takeDue(target: number): number {
    for (;;) {
      const s = this.earliestSlot();
      if (s < 0) return 0;
      const start = this.slotStart(s);
      if (start > target) return 0;
      this.elapsed = start; // same epoch
      if (s >= SLOTS) {
        this.cascade(s);
        continue;
      }
      const n = this.takeOut(s);
      this.sortScratch(n);
      return n;
    }
  }

  /** Re-appends scratch entries [from, n) (not due yet: they are at the wheel's time). */
  putBack(from: number, n: number): void {
    const a = this.scratch;
    for (let e = from * ENTRY; e < n * ENTRY; e += ENTRY) this.insert(a[e]!, a[e + 1]!, a[e + 2]!);
  }

  /** Moves the wheel's time forward to `target` (takeDue(target) found nothing left). */
  advanceTo(target: number): void {
    if (target > MAX_TICK) target = MAX_TICK;
    if (target > this.elapsed) this.setElapsed(target);
  }

  private cascade(s: number): void {
    let c = this.heads[s]!;
    let from = this.headPos[s]!;
    this.count -= this.sizes[s]!;
    while (c >= 0) {
      const next = this.links[c]!;
      const to = next < 0 ? this.tailLen[s]! : CHUNK_ENTRIES;
      const a = this.chunks[c]!;
      for (let e = from * ENTRY; e < to * ENTRY; e += ENTRY)
        this.insert(a[e]!, a[e + 1]!, a[e + 2]!);
      from = 0;
      c = next;
    }
    this.clearSlot(s);
  }

  /**
   * Keeps the entries of slot s whose timer `keep` accepts, in order, and returns their
   * earliest deadline, or Infinity when none is left (the slot is then empty).
   */
  filterMin(s: number, keep: (timer: number) => boolean): number {
    const n = this.takeOut(s);
    const a = this.scratch;
    let earliest = Infinity;
    for (let e = 0; e < n * ENTRY; e += ENTRY) {
      if (!keep(a[e + 1]!)) continue;
      const deadline = a[e]!;
      if (deadline < earliest) earliest = deadline;
      this.insert(deadline, a[e + 1]!, a[e + 2]!);
    }
    return earliest;
  }

  /** filterMin over every occupied slot. */
  sweep(keep: (timer: number) => boolean): void {
    for (let s = 0; s < LEVELS * SLOTS; s++) if (this.sizes[s]! > 0) this.filterMin(s, keep);
  }

  /** Sorts scratch entries [0, n) by deadline, stably; one pass if they are sorted. */
  private sortScratch(n: number): void {
    const a = this.scratch;
    for (let i = 1; i < n; i++) {
      if (a[i * ENTRY]! < a[(i - 1) * ENTRY]!) {
        if (n <= INSERTION_SORT_MAX) insertionSort(a, n);
        else this.mergeSort(n);
        return;
      }
    }
  }

  /** Bottom-up merge sort between scratch and spare; stable. */
  private mergeSort(n: number): void {
    let src = this.scratch;
    let dst = this.spare;
    for (let width = 1; width < n; width <<= 1) {
      for (let lo = 0; lo < n; lo += width << 1) {
        const mid = Math.min(lo + width, n);
        const hi = Math.min(lo + (width << 1), n);
        let i = lo;
        let j = mid;
        let k = lo;
        while (i < mid && j < hi) {
          const take = (src[j * ENTRY]! < src[i * ENTRY]! ? j++ : i++) * ENTRY;
          const at = k * ENTRY;
          dst[at] = src[take]!;
          dst[at + 1] = src[take + 1]!;
          dst[at + 2] = src[take + 2]!;
          k++;
        }
        if (i < mid) dst.set(src.subarray(i * ENTRY, mid * ENTRY), k * ENTRY);
        else if (j < hi) dst.set(src.subarray(j * ENTRY, hi * ENTRY), k * ENTRY);
      }
      const swap = src;
      src = dst;
      dst = swap;
    }
    if (src !== this.scratch) this.scratch.set(src.subarray(0, n * ENTRY));
  }

  /** Empties the wheel (its chunks go back to the pool). */
  reset(): void {
    for (let s = 0; s < LEVELS * SLOTS; s++) if (this.sizes[s]! > 0) this.clearSlot(s);
    this.count = 0;
    this.setElapsed(0);
  }
}

function insertionSort(a: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const e = i * ENTRY;
    const d = a[e]!;
    const t = a[e + 1]!;
    const g = a[e + 2]!;
    let j = i;
    while (j > 0 && a[(j - 1) * ENTRY]! > d) {
      a.copyWithin(j * ENTRY, (j - 1) * ENTRY, j * ENTRY);
      j--;
    }
    a[j * ENTRY] = d;
    a[j * ENTRY + 1] = t;
    a[j * ENTRY + 2] = g;
  }
}
