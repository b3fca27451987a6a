// Timers: a 4-ary min-heap ordered by (deadline, seq), plus a table of timer records that
// hands out generation-tagged handles.
//
//   timers ──▶ ┌─────────┬──────────┬──────────────┬───────────┐
//   handle slot│ gen u32 │ task i32 │ heapPos i32  │ next i32  │   16 bytes
//              └─────────┴──────────┴──────────────┴───────────┘
//   heap ────▶ ┌──────────────┬──────────────┬───────────┬──────┐
//   node i     │ deadline f64 │  seq u64     │ timer i32 │ pad  │   24 bytes
//              └──────────────┴──────────────┴───────────┴──────┘
//   children of node i: 4i+1 .. 4i+4; parent: (i - 1) >> 2
//
// Invariants: heap[parent] <= heap[child] by (deadline, seq); timers[t].heapPos is the node
// holding t while t is armed, -1 while free. seq increases with every arm, so timers with
// equal deadlines fire in the order they were armed (as libuv's start_id). seq is a u64:
// at a billion arms a second it lasts five centuries.
//
// A 4-ary heap halves the depth of a binary one and keeps a node's children in one or two
// cache lines; sift-down compares four keys per level but touches half as many levels.
// Cost: arm and cancel O(log n); advance O(k log n) for k due timers.

import {
  GEN_MASK,
  INITIAL_TIMERS,
  MAX_DEADLINE,
  MAX_SLOTS,
  SLOT_BITS,
  SLOT_MASK,
  ERR_STALE,
  ERR_DEADLINE,
  ERR_CAPACITY,
} from "./constants";
import { liveRecord } from "./tasks";
import { readyTask } from "./ready";

const TIMER_BYTES: usize = 16;
const T_GEN: usize = 0;
const T_TASK: usize = 4;
const T_POS: usize = 8;
const T_NEXT: usize = 12;

const NODE_BYTES: usize = 24;
const N_DEADLINE: usize = 0;
const N_SEQ: usize = 8;
const N_TIMER: usize = 16;

let timers: usize = 0;
let timerCap: i32 = 0;
let timerHigh: i32 = 0;
let freeHead: i32 = -1;
let freeTail: i32 = -1;

let heapBase: usize = 0;
let heapCap: i32 = 0;
let heapLen: i32 = 0;
let seq: u64 = 0;

export function initTimers(): void {
  timerCap = INITIAL_TIMERS;
  timers = heap.alloc(<usize>timerCap * TIMER_BYTES);
  heapCap = INITIAL_TIMERS;
  heapBase = heap.alloc(<usize>heapCap * NODE_BYTES);
}

@inline function timerRecord(slot: i32): usize {
  return timers + <usize>slot * TIMER_BYTES;
}
@inline function node(i: i32): usize {
  return heapBase + <usize>i * NODE_BYTES;
}

/** Is node a strictly earlier than node b? */
@inline function before(a: usize, b: usize): bool {
  const da = load<f64>(a, N_DEADLINE);
  const db = load<f64>(b, N_DEADLINE);
  return da < db || (da == db && load<u64>(a, N_SEQ) < load<u64>(b, N_SEQ));
}

/** Writes (deadline, seq, timer) into node i and records the position in the timer. */
@inline function place(i: i32, deadline: f64, s: u64, timer: i32): void {
  const n = node(i);
  store<f64>(n, deadline, N_DEADLINE);
  store<u64>(n, s, N_SEQ);
  store<i32>(n, timer, N_TIMER);
  store<i32>(timerRecord(timer), i, T_POS);
}

/** Moves the entry (deadline, s, timer) up from hole i to its place. */
function siftUp(i: i32, deadline: f64, s: u64, timer: i32): void {
  while (i > 0) {
    const p = (i - 1) >> 2;
    const pn = node(p);
    const pd = load<f64>(pn, N_DEADLINE);
    if (pd < deadline || (pd == deadline && load<u64>(pn, N_SEQ) < s)) break;
    place(i, pd, load<u64>(pn, N_SEQ), load<i32>(pn, N_TIMER));
    i = p;
  }
  place(i, deadline, s, timer);
}

/** Moves the entry (deadline, s, timer) down from hole i to its place. */
function siftDown(i: i32, deadline: f64, s: u64, timer: i32): void {
  const len = heapLen;
  while (true) {
    const first = (i << 2) + 1;
    if (first >= len) break;
    // The least of up to four children.
    let best = first;
    let bn = node(first);
    const last = min(first + 4, len);
    for (let c = first + 1; c < last; c++) {
      const cn = node(c);
      if (before(cn, bn)) {
        best = c;
        bn = cn;
      }
    }
    const bd = load<f64>(bn, N_DEADLINE);
    if (deadline < bd || (deadline == bd && s < load<u64>(bn, N_SEQ))) break;
    place(i, bd, load<u64>(bn, N_SEQ), load<i32>(bn, N_TIMER));
    i = best;
  }
  place(i, deadline, s, timer);
}

/** Removes node i, filling the hole with the last node. */
function removeAt(i: i32): void {
  const lastIdx = --heapLen;
  if (i == lastIdx) return;
  const ln = node(lastIdx);
  const d = load<f64>(ln, N_DEADLINE);
  const s = load<u64>(ln, N_SEQ);
  const t = load<i32>(ln, N_TIMER);
  if (i > 0 && before(ln, node((i - 1) >> 2))) siftUp(i, d, s, t);
  else siftDown(i, d, s, t);
}

function allocTimer(): i32 {
  let slot: i32;
  if (freeHead >= 0) {
    slot = freeHead;
    freeHead = load<i32>(timerRecord(slot), T_NEXT);
    if (freeHead < 0) freeTail = -1;
  } else {
    if (timerHigh == MAX_SLOTS) return ERR_CAPACITY;
    if (timerHigh == timerCap) {
      timerCap <<= 1;
      timers = heap.realloc(timers, <usize>timerCap * TIMER_BYTES);
    }
    slot = timerHigh++;
    store<u32>(timerRecord(slot), 0, T_GEN);
  }
  return slot;
}

function freeTimer(slot: i32): void {
  const rec = timerRecord(slot);
  store<u32>(rec, (load<u32>(rec, T_GEN) + 1) & GEN_MASK, T_GEN);
  store<i32>(rec, -1, T_POS);
  store<i32>(rec, -1, T_NEXT);
  if (freeTail >= 0) store<i32>(timerRecord(freeTail), slot, T_NEXT);
  else freeHead = slot;
  freeTail = slot;
}

/**
 * Arms a timer that readies `task` once advance(now) reaches `deadline`. Returns a handle,
 * or ERR_STALE (task not live) / ERR_DEADLINE (NaN) / ERR_CAPACITY.
 */
export function sleepUntil(task: i32, deadline: f64): i32 {
  if (liveRecord(task) == 0) return ERR_STALE;
  if (isNaN(deadline)) return ERR_DEADLINE;
  if (deadline > MAX_DEADLINE) deadline = MAX_DEADLINE;
  const slot = allocTimer();
  if (slot < 0) return slot;
  store<i32>(timerRecord(slot), task, T_TASK);
  if (heapLen == heapCap) {
    heapCap <<= 1;
    heapBase = heap.realloc(heapBase, <usize>heapCap * NODE_BYTES);
  }
  siftUp(heapLen++, deadline, seq++, slot);
  return <i32>(load<u32>(timerRecord(slot), T_GEN) << SLOT_BITS) | slot;
}

/** The slot of a handle that names an armed timer, or -1. */
function armedSlot(handle: i32): i32 {
  if (handle < 0) return -1;
  const slot = handle & SLOT_MASK;
  if (slot >= timerHigh) return -1;
  const rec = timerRecord(slot);
  if (load<u32>(rec, T_GEN) != <u32>(handle >>> SLOT_BITS)) return -1;
  if (load<i32>(rec, T_POS) < 0) return -1;
  return slot;
}

/** Disarms a timer; false if it already fired, was cancelled, or never existed. */
export function cancelTimer(handle: i32): bool {
  const slot = armedSlot(handle);
  if (slot < 0) return false;
  removeAt(load<i32>(timerRecord(slot), T_POS));
  freeTimer(slot);
  return true;
}

/** The deadline of an armed timer, or NaN. */
export function timerDeadline(handle: i32): f64 {
  const slot = armedSlot(handle);
  if (slot < 0) return NaN;
  return load<f64>(node(load<i32>(timerRecord(slot), T_POS)), N_DEADLINE);
}

/**
 * Fires every timer whose deadline is <= now, in (deadline, seq) order, readying its task
 * inside the core. Returns how many tasks it enqueued (a stale task, or one already queued,
 * is not counted), or ERR_DEADLINE for a NaN `now`.
 */
export function advance(now: f64): i32 {
  if (isNaN(now)) return ERR_DEADLINE;
  let moved = 0;
  while (heapLen > 0) {
    const top = node(0);
    if (load<f64>(top, N_DEADLINE) > now) break;
    const slot = load<i32>(top, N_TIMER);
    const task = load<i32>(timerRecord(slot), T_TASK);
    removeAt(0);
    freeTimer(slot);
    if (readyTask(task)) moved++;
  }
  return moved;
}

export function nextDeadline(): f64 {
  return heapLen > 0 ? load<f64>(node(0), N_DEADLINE) : Infinity;
}

/** Disarms every timer (generations move on: every handle handed out becomes stale). */
export function resetTimers(): void {
  while (heapLen > 0) {
    const slot = load<i32>(node(heapLen - 1), N_TIMER);
    heapLen--;
    freeTimer(slot);
  }
}

export function armedTimers(): i32 {
  return heapLen;
}
