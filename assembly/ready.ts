// The ready queue: a FIFO ring of task ids with a power-of-two capacity.
//
//   ring ──▶ [ id | id | id | ... ]   capacity = mask + 1 (a power of two)
//                 ▲head        ▲tail   head, tail: u32 counters, index = counter & mask
//
// Invariant: a live task is in the ring at most once — TASK_QUEUED is set exactly while it
// is. A released task may leave a stale id behind; popReady() skips it (its generation no
// longer matches). Cost: push/pop O(1); a full ring doubles (amortised O(1)).

import { INITIAL_READY, TASK_QUEUED, NONE } from "./constants";
import { liveRecord, flagsOf, setFlags, bumpWakeups } from "./tasks";

let ring: usize = 0;
let mask: u32 = 0;
let head: u32 = 0;
let tail: u32 = 0;

export function initReady(): void {
  mask = <u32>INITIAL_READY - 1;
  ring = heap.alloc((<usize>INITIAL_READY) << 2);
}

/** Enqueues a live task that is not queued yet; false for a stale or queued id. */
export function readyTask(id: i32): bool {
  const rec = liveRecord(id);
  if (rec == 0) return false;
  const flags = flagsOf(rec);
  if (flags & TASK_QUEUED) return false;
  setFlags(rec, flags | TASK_QUEUED);
  bumpWakeups(rec);
  if (tail - head > mask) grow();
  store<i32>(ring + ((<usize>(tail & mask)) << 2), id);
  tail++;
  return true;
}

/** Dequeues the oldest live id, or NONE. Skips ids made stale while they waited. */
export function popReady(): i32 {
  while (head != tail) {
    const id = shiftEntry();
    if (id != NONE) return id;
  }
  return NONE;
}

/**
 * Dequeues exactly one entry (the ring must not be empty): its id if still live, NONE if it
 * was made stale. drain() uses it to consume no more than `max` entries.
 */
export function shiftEntry(): i32 {
  const id = load<i32>(ring + ((<usize>(head & mask)) << 2));
  head++;
  const rec = liveRecord(id);
  if (rec == 0) return NONE;
  setFlags(rec, flagsOf(rec) & ~TASK_QUEUED);
  return id;
}

/** Empties the ring (its capacity stays). */
export function resetReady(): void {
  head = 0;
  tail = 0;
}

/** Entries in the ring, counting stale ones not yet skipped: an upper bound. */
export function readyLength(): i32 {
  return <i32>(tail - head);
}

function grow(): void {
  const cap = mask + 1;
  const next = heap.alloc((<usize>cap) << 3);
  // Unwrap [head, tail) into the front of the new ring.
  const h = head & mask;
  const first = cap - h;
  memory.copy(next, ring + ((<usize>h) << 2), (<usize>first) << 2);
  memory.copy(next + ((<usize>first) << 2), ring, (<usize>h) << 2);
  heap.free(ring);
  ring = next;
  head = 0;
  tail = cap;
  mask = (cap << 1) - 1;
}
