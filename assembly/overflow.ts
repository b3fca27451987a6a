// The overflow heap: a 4-ary min-heap ordered by (deadline, seq) for the timers the wheel
// cannot hold — deadlines before the wheel's time (negative, -Infinity, past), in another
// 2^36 ms epoch than the wheel's (far ahead, MAX_DEADLINE), or armed while the wheel could
// not take them. Ordinary sleeps and timeouts never come here.
//
//   heap ────▶ ┌──────────────┬──────────────┬───────────┬────────────┐
//   node i     │ deadline f64 │  seq u64     │ timer i32 │ target i32 │   24 bytes
//              └──────────────┴──────────────┴───────────┴────────────┘
//   children of node i: 4i+1 .. 4i+4; parent: (i - 1) >> 2
//
// Invariant: heap[parent] <= heap[child] by (deadline, seq). seq is the order in which the
// core took the timers in (arming order), so equal deadlines fire in arming order. Deletion
// is lazy: a cancelled timer stays until it reaches the top (popped and freed there) or a
// sweep filters it out, so nodes need no back-pointers.
//
// A 4-ary heap halves the depth of a binary one and keeps a node's children in one or two
// cache lines. Cost: push and pop O(log n); filter O(n).

const NODE_BYTES: usize = 24;
const N_DEADLINE: usize = 0;
const N_SEQ: usize = 8;
const N_TIMER: usize = 16;
const N_TARGET: usize = 20;
/** Nodes at first; doubles as it fills. Small: most programs never overflow the wheel. */
const INITIAL_NODES: i32 = 64;

let base: usize = 0;
let cap: i32 = 0;
let len: i32 = 0;

export function initOverflow(): void {
  cap = INITIAL_NODES;
  base = heap.alloc(<usize>cap * NODE_BYTES);
}

@inline function node(i: i32): usize {
  return base + <usize>i * NODE_BYTES;
}

/** Is node a strictly earlier than node b? */
@inline function before(a: usize, b: usize): bool {
  const da = load<f64>(a, N_DEADLINE);
  const db = load<f64>(b, N_DEADLINE);
  return da < db || (da == db && load<u64>(a, N_SEQ) < load<u64>(b, N_SEQ));
}

/** Copies node `from` over node `to` (three loads and stores, not a memory.copy call). */
@inline function move(to: usize, from: usize): void {
  store<f64>(to, load<f64>(from, N_DEADLINE), N_DEADLINE);
  store<u64>(to, load<u64>(from, N_SEQ), N_SEQ);
  store<u64>(to, load<u64>(from, N_TIMER), N_TIMER); // timer and target
}

/** Writes (deadline, seq, timer, target) into node i. */
@inline function place(i: i32, deadline: f64, seq: u64, timer: i32, target: i32): void {
  const n = node(i);
  store<f64>(n, deadline, N_DEADLINE);
  store<u64>(n, seq, N_SEQ);
  store<i32>(n, timer, N_TIMER);
  store<i32>(n, target, N_TARGET);
}

/** Moves the entry up from hole i to its place. */
function siftUp(i: i32, deadline: f64, seq: u64, timer: i32, target: i32): void {
  while (i > 0) {
    const p = (i - 1) >> 2;
    const pn = node(p);
    const pd = load<f64>(pn, N_DEADLINE);
    if (pd < deadline || (pd == deadline && load<u64>(pn, N_SEQ) < seq)) break;
    move(node(i), pn);
    i = p;
  }
  place(i, deadline, seq, timer, target);
}

/** Moves the entry down from hole i to its place. */
function siftDown(i: i32, deadline: f64, seq: u64, timer: i32, target: i32): void {
  while (true) {
    const first = (i << 2) + 1;
    if (first >= len) break;
    // The least of up to four children.
    let bn = node(first);
    const last = min(first + 4, len);
    let best = first;
    for (let c = first + 1; c < last; c++) {
      const cn = node(c);
      if (before(cn, bn)) {
        best = c;
        bn = cn;
      }
    }
    const bd = load<f64>(bn, N_DEADLINE);
    if (deadline < bd || (deadline == bd && seq < load<u64>(bn, N_SEQ))) break;
    move(node(i), bn);
    i = best;
  }
  place(i, deadline, seq, timer, target);
}

/** Sifts node i's own entry down (heapify). */
function siftNodeDown(i: i32): void {
  const n = node(i);
  siftDown(i, load<f64>(n, N_DEADLINE), load<u64>(n, N_SEQ), load<i32>(n, N_TIMER), load<i32>(n, N_TARGET));
}

export function overflowPush(deadline: f64, seq: u64, timer: i32, target: i32): void {
  if (len == cap) {
    cap <<= 1;
    base = heap.realloc(base, <usize>cap * NODE_BYTES);
  }
  siftUp(len++, deadline, seq, timer, target);
}

export function overflowLength(): i32 {
  return len;
}

/** The earliest deadline (the heap must not be empty). */
export function overflowTopDeadline(): f64 {
  return load<f64>(node(0), N_DEADLINE);
}

/** The timer slot of the earliest node (the heap must not be empty). */
export function overflowTopTimer(): i32 {
  return load<i32>(node(0), N_TIMER);
}

/** The target of the earliest node (the heap must not be empty). */
export function overflowTopTarget(): i32 {
  return load<i32>(node(0), N_TARGET);
}

/** Removes the earliest node (the heap must not be empty). */
export function overflowPop(): void {
  const last = --len;
  if (last == 0) return;
  move(node(0), node(last));
  siftNodeDown(0);
}

/**
 * Keeps only the nodes whose timer `keep` accepts, then restores the heap bottom-up
 * (Floyd: O(n)). `keep` is called once per node, in storage order.
 */
export function overflowFilter(keep: (timer: i32) => bool): void {
  let n = 0;
  for (let i = 0; i < len; i++) {
    const src = node(i);
    if (!keep(load<i32>(src, N_TIMER))) continue;
    if (n != i) move(node(n), src);
    n++;
  }
  len = n;
  for (let i = (n - 2) >> 2; i >= 0; i--) siftNodeDown(i);
}

export function resetOverflow(): void {
  len = 0;
}
