// The timer wheel: a hierarchical hashed timing wheel (Varghese & Lauck; the shape is
// tokio's runtime/time/wheel), holding every timer whose deadline lies within the wheel's
// current 2^36 ms epoch, at or after the wheel's time. Arming is an append to one slot,
// O(1); cancelling is a tombstone (timers.ts), O(1); firing costs O(1) per timer plus one
// re-append per level it falls through on its way down, at most LEVELS - 1.
//
// How it works. The wheel's time, `elapsed`, is a whole millisecond (a tick). A deadline d
// goes to tick floor(d), and a tick goes to the level of the highest bit in which it
// differs from `elapsed`, in 6-bit groups:
//
//   level │ slot width   │ the level spans │ a timer lands here when it is due in
//   ──────┼──────────────┼─────────────────┼──────────────────────────────────────
//     0   │ 1 ms         │ 64 ms           │ the current 64 ms block
//     1   │ 64 ms        │ ~4.1 s          │ the current 4.1 s block (not the 64 ms one)
//     2   │ ~4.1 s       │ ~4.4 min        │ ... and so on: each level is 64 slots of
//     3   │ ~4.4 min     │ ~4.7 h          │ the level below's whole span
//     4   │ ~4.7 h       │ ~12.4 days      │
//     5   │ ~12.4 days   │ ~2.2 years      │ the current 2^36 ms epoch
//
// Within its level, a tick's slot is bits [6·level, 6·level + 6) of the tick. All timers in
// a slot of level 0 share one tick; a slot of level L > 0 covers 64^L ticks. When the
// wheel's time reaches the start of an occupied slot of level L > 0, the slot is emptied
// and its timers re-appended relative to the new time ("cascade"): each lands in a lower
// level. When it reaches an occupied slot of level 0, that slot's timers are due.
//
//   occupied[L] (u64: bit i set ⇔ slot i of level L holds entries)
//   slot s = L·64 + i:  head ─▶ chunk ─▶ chunk ─▶ ... ─▶ chunk ◀─ tail     size, headPos,
//                                                                          tailLen: i32s
//   chunk (512 bytes, from a pool):
//     ┌──────────┬─────┬──────────────────────────────────────────────────────────────┐
//     │ next i32 │ pad │ 31 entries: ┌──────────────┬───────────┬────────────┐        │
//     └──────────┴─────┴─────────────│ deadline f64 │ timer i32 │ target i32 │ ───────┘
//                                    └──────────────┴───────────┴────────────┘ 16 bytes
//   live entries: from headPos in the head chunk to tailLen in the tail chunk
//
// A slot is a list of fixed-size chunks rather than an array that doubles: a cascade moves
// a slot of a million timers into sixty-four smaller ones, and arrays would be reallocated
// and copied at every doubling on both sides; chunks are appended and recycled through the
// pool, and a scan reads 31 entries per chunk, in order. The pool keeps every chunk it has
// made (linear memory never shrinks): its peak is the wheel's peak, about 16.5 bytes a timer.
//
// Invariants.
//  - Every entry's tick t satisfies elapsed <= t and t >> 36 == elapsed >> 36, and it sits
//    in slot (t >> 6L) & 63 of level L = levelFor(t). So the lowest occupied level holds
//    the earliest timers, and within a level the lowest set bit of `occupied` is the
//    earliest slot: no slot ever wraps around.
//  - Entries of a slot are in the order the core took the timers in (arming order): direct
//    appends come in that order, and a cascade moves a whole slot, in order, into slots
//    that were empty (nothing else can have reached them while the wheel's time was before
//    the cascaded slot). So sorting a level-0 slot by deadline with a *stable* sort gives
//    exact (deadline, arming order) — and with integer deadlines a slot is already sorted.
//  - Moving `elapsed` forward keeps every entry's level as long as it does not pass the
//    start of an occupied slot: advance cascades or fires those first.
//
// Deadlines the wheel cannot hold (before `elapsed`, beyond the epoch, negative) go to the
// overflow heap (overflow.ts); timers.ts merges the two when they fire. Entries carry the
// deadline and the target, so neither a cascade nor firing reads the timer table (at a
// million timers, those reads are cache misses); tombstones ride along until they are
// fired, swept or looked at by nextDeadline.

/** Bits of a tick per level: 64 slots, so a level's occupancy is one u64 (tokio's choice). */
const LEVEL_BITS: i32 = 6;
const SLOTS: i32 = 1 << LEVEL_BITS;
/**
 * Levels: 6 × 6 bits = 2^36 ms, about 2.2 years, as tokio. Longer timers are rare enough
 * (and "never" timers clamped to MAX_DEADLINE far enough) that the overflow heap takes them.
 */
const LEVELS: i32 = 6;
const EPOCH_BITS: u64 = <u64>(LEVELS * LEVEL_BITS);
/** The largest tick: the clamp of every deadline (MAX_DEADLINE is a whole number). */
const MAX_TICK: u64 = 8640000000000000;

const ENTRY_BYTES: usize = 16;
const E_DEADLINE: usize = 0;
const E_TIMER: usize = 8;
const E_TARGET: usize = 12;

/**
 * Entries per chunk: 31 of 16 bytes after a 16-byte header make 512 bytes. Small enough
 * that the 384 slots' partly filled tail chunks waste at most ~190 KiB, large enough that
 * following a link is rare next to reading entries. Picked, not tuned.
 */
const CHUNK_ENTRIES: i32 = 31;
const CHUNK_BYTES: usize = 512;
const C_NEXT: usize = 0;
const C_ENTRIES: usize = 16;
/** Slots of at most this many entries are sorted by insertion; larger ones by merging. */
const INSERTION_SORT_MAX: i32 = 32;
/**
 * Runs of at most this many entries are copied by a loop, longer ones by memory.copy: V8
 * compiles memory.copy to a call into the runtime, which costs more than copying a few
 * entries, and a level-0 slot usually holds a few. Picked, not tuned.
 */
const INLINE_COPY_MAX: i32 = 8;

let occupied: usize = 0; // LEVELS u64s
let heads: usize = 0; // per slot: first chunk (0: the slot is empty)
let tails: usize = 0; // per slot: last chunk
let headPos: usize = 0; // per slot: first live entry in the head chunk
let tailLen: usize = 0; // per slot: entries in the tail chunk
let sizes: usize = 0; // per slot: live entries
let freeChunks: usize = 0; // the pool: a stack linked through C_NEXT
let elapsed: u64 = 0;
let epochEnd: f64 = 0;
let count: i32 = 0;
let scratch: usize = 0; // a slot's entries, taken out to fire or filter
let spare: usize = 0; // the merge sort's second buffer
let scratchCap: i32 = 0;

function slotArray(): usize {
  const bytes = (<usize>(LEVELS * SLOTS)) << 2;
  const at = heap.alloc(bytes);
  memory.fill(at, 0, bytes);
  return at;
}

export function initWheel(): void {
  occupied = heap.alloc(<usize>LEVELS << 3);
  memory.fill(occupied, 0, <usize>LEVELS << 3);
  heads = slotArray();
  tails = slotArray();
  headPos = slotArray();
  tailLen = slotArray();
  sizes = slotArray();
  setElapsed(0);
}

@inline function get(array: usize, s: i32): i32 {
  return load<i32>(array + ((<usize>s) << 2));
}
@inline function put(array: usize, s: i32, value: i32): void {
  store<i32>(array + ((<usize>s) << 2), value);
}
@inline function getChunk(array: usize, s: i32): usize {
  return load<usize>(array + ((<usize>s) << 2));
}
@inline function putChunk(array: usize, s: i32, chunk: usize): void {
  store<usize>(array + ((<usize>s) << 2), chunk);
}
@inline function entryAt(chunk: usize, i: i32): usize {
  return chunk + C_ENTRIES + <usize>i * ENTRY_BYTES;
}
@inline function occupancy(level: i32): u64 {
  return load<u64>(occupied + ((<usize>level) << 3));
}
@inline function setOccupancy(level: i32, bits: u64): void {
  store<u64>(occupied + ((<usize>level) << 3), bits);
}

function takeChunk(): usize {
  const chunk = freeChunks;
  if (chunk == 0) return heap.alloc(CHUNK_BYTES);
  freeChunks = load<usize>(chunk, C_NEXT);
  return chunk;
}

function giveChunk(chunk: usize): void {
  store<usize>(chunk, freeChunks, C_NEXT);
  freeChunks = chunk;
}

function setElapsed(tick: u64): void {
  elapsed = tick;
  epochEnd = <f64>(((tick >> EPOCH_BITS) + 1) << EPOCH_BITS);
}

/** Entries in the wheel, tombstones included. */
export function wheelCount(): i32 {
  return count;
}

/** The wheel's time: every entry's tick is at or after it. */
export function wheelElapsed(): u64 {
  return elapsed;
}

/** Can the wheel hold a timer with this deadline? (False for NaN too.) */
@inline export function wheelFits(deadline: f64): bool {
  return deadline >= <f64>elapsed && deadline < epochEnd;
}

/** Moves the wheel's time anywhere: only while it holds nothing (no entry's level moves). */
export function wheelRebase(tick: u64): void {
  assert(count == 0);
  setElapsed(tick > MAX_TICK ? MAX_TICK : tick);
}

/** The level a tick in the wheel's epoch belongs to, at the wheel's current time. */
@inline function levelFor(tick: u64): i32 {
  const masked = (elapsed ^ tick) | <u64>(SLOTS - 1);
  return (63 - <i32>clz(masked)) / LEVEL_BITS;
}

/** Appends a timer the wheel can hold (wheelFits) to its slot. */
export function wheelInsert(deadline: f64, timer: i32, target: i32): void {
  const tick = <u64>deadline;
  const level = levelFor(tick);
  assert(level < LEVELS);
  const index = <i32>((tick >> <u64>(level * LEVEL_BITS)) & <u64>(SLOTS - 1));
  append(level * SLOTS + index, deadline, timer, target);
  count++;
}

/** Appends an entry to slot s, marking the slot occupied. */
function append(s: i32, deadline: f64, timer: i32, target: i32): void {
  let tail = getChunk(tails, s);
  let len = get(tailLen, s);
  if (tail == 0 || len == CHUNK_ENTRIES) {
    const chunk = takeChunk();
    store<usize>(chunk, 0, C_NEXT);
    if (tail == 0) {
      putChunk(heads, s, chunk);
      put(headPos, s, 0);
      const level = s >> LEVEL_BITS;
      setOccupancy(level, occupancy(level) | (<u64>1 << <u64>(s & (SLOTS - 1))));
    } else {
      store<usize>(tail, chunk, C_NEXT);
    }
    putChunk(tails, s, chunk);
    tail = chunk;
    len = 0;
  }
  const e = entryAt(tail, len);
  store<f64>(e, deadline, E_DEADLINE);
  store<i32>(e, timer, E_TIMER);
  store<i32>(e, target, E_TARGET);
  put(tailLen, s, len + 1);
  put(sizes, s, get(sizes, s) + 1);
}

/** Empties slot s: its chunks go back to the pool, its bit is cleared. */
function clearSlot(s: i32): void {
  let chunk = getChunk(heads, s);
  while (chunk != 0) {
    const next = load<usize>(chunk, C_NEXT);
    giveChunk(chunk);
    chunk = next;
  }
  putChunk(heads, s, 0);
  putChunk(tails, s, 0);
  put(headPos, s, 0);
  put(tailLen, s, 0);
  put(sizes, s, 0);
  const level = s >> LEVEL_BITS;
  setOccupancy(level, occupancy(level) & ~(<u64>1 << <u64>(s & (SLOTS - 1))));
}

/**
 * Copies slot s's live entries, in order, into the scratch buffer and empties the slot.
 * Returns how many; entry i is then scratchDeadline(i) / scratchTimer(i) / scratchTarget(i).
 */
function takeOut(s: i32): i32 {
  const n = get(sizes, s);
  if (scratchCap < n) {
    if (scratch != 0) {
      heap.free(scratch);
      heap.free(spare);
    }
    scratchCap = max(n, scratchCap << 1);
    scratch = heap.alloc(<usize>scratchCap * ENTRY_BYTES);
    spare = heap.alloc(<usize>scratchCap * ENTRY_BYTES);
  }
  let chunk = getChunk(heads, s);
  let from = get(headPos, s);
  let k = 0;
  while (chunk != 0) {
    const next = load<usize>(chunk, C_NEXT);
    const to = next == 0 ? get(tailLen, s) : CHUNK_ENTRIES;
    copyEntries(scratch + <usize>k * ENTRY_BYTES, entryAt(chunk, from), to - from);
    k += to - from;
    from = 0;
    chunk = next;
  }
  assert(k == n);
  count -= n;
  clearSlot(s);
  return n;
}

@inline export function scratchDeadline(i: i32): f64 {
  return load<f64>(scratch + <usize>i * ENTRY_BYTES, E_DEADLINE);
}
@inline export function scratchTimer(i: i32): i32 {
  return load<i32>(scratch + <usize>i * ENTRY_BYTES, E_TIMER);
}
@inline export function scratchTarget(i: i32): i32 {
  return load<i32>(scratch + <usize>i * ENTRY_BYTES, E_TARGET);
}

/** The earliest occupied slot (level · 64 + index), or -1 when the wheel is empty. */
export function wheelEarliestSlot(): i32 {
  for (let level = 0; level < LEVELS; level++) {
    const bits = occupancy(level);
    if (bits != 0) return level * SLOTS + <i32>ctz(bits);
  }
  return -1;
}

/** Copies n entries from src to dst (which do not overlap). */
@inline function copyEntries(dst: usize, src: usize, n: i32): void {
  if (n > INLINE_COPY_MAX) {
    memory.copy(dst, src, <usize>n * ENTRY_BYTES);
    return;
  }
  for (let i = 0; i < n; i++) {
    const at = <usize>i * ENTRY_BYTES;
    store<u64>(dst + at, load<u64>(src + at));
    store<u64>(dst + at, load<u64>(src + at, 8), 8);
  }
}

/** The first tick slot s covers, at the wheel's current time. */
function slotStart(s: i32): u64 {
  const shift = <u64>((s / SLOTS) * LEVEL_BITS);
  const block = elapsed & ~((<u64>1 << (shift + <u64>LEVEL_BITS)) - 1);
  return block | (<u64>(s & (SLOTS - 1)) << shift);
}

/**
 * Takes out the next level-0 slot whose tick is at or before `target` — cascading every
 * higher slot that starts on the way and moving the wheel's time to that tick — sorted
 * stably by deadline into the scratch buffer. Returns how many entries it took; 0 when no
 * slot is due. The caller fires the due prefix and puts the rest back (wheelPutBack).
 */
export function wheelTakeDue(target: u64): i32 {
  while (true) {
    const s = wheelEarliestSlot();
    if (s < 0) return 0;
    const start = slotStart(s);
    if (start > target) return 0;
    assert(start >= elapsed);
    elapsed = start; // same epoch: epochEnd stays
    if (s >= SLOTS) {
      cascade(s);
      continue;
    }
    const n = takeOut(s);
    sortScratch(n);
    return n;
  }
}

/** Re-appends scratch entries [from, n) (not due yet: they are all at the wheel's time). */
export function wheelPutBack(from: i32, n: i32): void {
  for (let i = from; i < n; i++) wheelInsert(scratchDeadline(i), scratchTimer(i), scratchTarget(i));
}

/** Moves the wheel's time forward to `target` (wheelTakeDue(target) found nothing left). */
export function wheelAdvanceTo(target: u64): void {
  if (target > MAX_TICK) target = MAX_TICK;
  if (target <= elapsed) return;
  // Crossing into a later epoch is only possible with the wheel empty: every entry of the
  // current epoch is before target, so wheelTakeDue fired it.
  assert(target < <u64>epochEnd || count == 0);
  setElapsed(target);
}

/** Re-appends every entry of slot s (level > 0) relative to the wheel's new time. */
function cascade(s: i32): void {
  let chunk = getChunk(heads, s);
  let from = get(headPos, s);
  count -= get(sizes, s);
  while (chunk != 0) {
    const next = load<usize>(chunk, C_NEXT);
    const to = next == 0 ? get(tailLen, s) : CHUNK_ENTRIES;
    for (let i = from; i < to; i++) {
      // Always a lower level than s's (the tick now shares s's bits with elapsed), so the
      // appends never touch s's chunks.
      const e = entryAt(chunk, i);
      wheelInsert(load<f64>(e, E_DEADLINE), load<i32>(e, E_TIMER), load<i32>(e, E_TARGET));
    }
    from = 0;
    chunk = next;
  }
  clearSlot(s);
}

/**
 * Keeps the entries of slot s whose timer `keep` accepts, in order (tombstones go), and
 * returns the earliest deadline among them, or Infinity when none is left (the slot is
 * then empty). `keep` is called once per entry, in order.
 */
export function wheelFilterMin(s: i32, keep: (timer: i32) => bool): f64 {
  const n = takeOut(s);
  let earliest = Infinity;
  for (let i = 0; i < n; i++) {
    if (!keep(scratchTimer(i))) continue;
    const deadline = scratchDeadline(i);
    if (deadline < earliest) earliest = deadline;
    wheelInsert(deadline, scratchTimer(i), scratchTarget(i));
  }
  return earliest;
}

/** wheelFilterMin over every occupied slot. */
export function wheelSweep(keep: (timer: i32) => bool): void {
  for (let level = 0; level < LEVELS; level++) {
    let bits = occupancy(level);
    while (bits != 0) {
      const index = <i32>ctz(bits);
      bits &= bits - 1;
      wheelFilterMin(level * SLOTS + index, keep);
    }
  }
}

/**
 * Sorts scratch entries [0, n) by deadline, stably (so equal deadlines keep arming order).
 * A slot of whole-millisecond deadlines is sorted already: one pass.
 */
function sortScratch(n: i32): void {
  for (let i = 1; i < n; i++) {
    if (scratchDeadline(i) < scratchDeadline(i - 1)) {
      if (n <= INSERTION_SORT_MAX) insertionSort(n);
      else mergeSort(n);
      return;
    }
  }
}

function insertionSort(n: i32): void {
  for (let i = 1; i < n; i++) {
    const d = scratchDeadline(i);
    const t = scratchTimer(i);
    const g = scratchTarget(i);
    let j = i;
    while (j > 0 && scratchDeadline(j - 1) > d) {
      copyEntries(scratch + <usize>j * ENTRY_BYTES, scratch + <usize>(j - 1) * ENTRY_BYTES, 1);
      j--;
    }
    const e = scratch + <usize>j * ENTRY_BYTES;
    store<f64>(e, d, E_DEADLINE);
    store<i32>(e, t, E_TIMER);
    store<i32>(e, g, E_TARGET);
  }
}

/** Bottom-up merge sort between scratch and spare; stable (ties take the left run first). */
function mergeSort(n: i32): void {
  let from = scratch;
  let to = spare;
  for (let width = 1; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const right = load<f64>(from + <usize>j * ENTRY_BYTES) < load<f64>(from + <usize>i * ENTRY_BYTES);
        const take = right ? j++ : i++;
        copyEntries(to + <usize>k * ENTRY_BYTES, from + <usize>take * ENTRY_BYTES, 1);
        k++;
      }
      if (i < mid) copyEntries(to + <usize>k * ENTRY_BYTES, from + <usize>i * ENTRY_BYTES, mid - i);
      else if (j < hi) copyEntries(to + <usize>k * ENTRY_BYTES, from + <usize>j * ENTRY_BYTES, hi - j);
    }
    const swap = from;
    from = to;
    to = swap;
  }
  if (from != scratch) copyEntries(scratch, from, n);
}

/** Empties the wheel (its chunks go back to the pool). */
export function resetWheel(): void {
  for (let level = 0; level < LEVELS; level++) {
    let bits = occupancy(level);
    while (bits != 0) {
      const index = <i32>ctz(bits);
      bits &= bits - 1;
      clearSlot(level * SLOTS + index);
    }
  }
  count = 0;
  setElapsed(0);
}
