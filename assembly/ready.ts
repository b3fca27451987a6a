// The ready queue: a FIFO ring of entries with a power-of-two capacity. An entry is a task
// id (>= 0) or a host token (<= TOKEN_MAX).
//
//   ring ──▶ [ id | token | id | ... ]   capacity = mask + 1 (a power of two)
//                 ▲head          ▲tail   head, tail: u32 counters in the control block
//                                        (CTL_HEAD, CTL_TAIL), index = counter & mask
//
// Invariant: a live task is in the ring at most once — TASK_QUEUED is set exactly while it
// is. A released task may leave a stale id behind; popReady() skips it (its generation no
// longer matches). A token is never deduplicated or checked: the host owns its meaning, and
// it comes out exactly as often, and in the order, it went in.
//
// Shared: the host pushes and pops through the control block too (one-entry ready and
// nextReady need no call into the core); only a push into a full ring calls in, to grow it.
// Cost: push/pop O(1); a full ring doubles (amortised O(1)).

import {
  CTL_HEAD,
  CTL_RING,
  CTL_RING_MASK,
  CTL_TAIL,
  INITIAL_READY,
  TASK_QUEUED,
  NONE,
} from "./constants";
import { liveRecord, flagsOf, setFlags, bumpSwitches, bumpWakeups } from "./tasks";
import { bumpEpoch, ctl, setCtl } from "./control";

let ring: usize = 0;
let mask: u32 = 0;

export function initReady(): void {
  mask = <u32>INITIAL_READY - 1;
  ring = heap.alloc((<usize>INITIAL_READY) << 2);
  publish();
  setCtl(CTL_HEAD, 0);
  setCtl(CTL_TAIL, 0);
}

function publish(): void {
  setCtl(CTL_RING, <i32>ring);
  setCtl(CTL_RING_MASK, <i32>mask);
}

/**
 * Enqueues a live task that is not queued yet (false for a stale or queued id), or a host
 * token (always; false only for NONE, which is neither).
 */
export function readyTask(id: i32): bool {
  const tail = <u32>ctl(CTL_TAIL);
  const next = readyAt(id, tail);
  if (next == tail) return false;
  setCtl(CTL_TAIL, <i32>next);
  return true;
}

/**
 * readyTask with the tail counter in the caller's hands: enqueues `id` at `tail` and
 * returns the new tail (`tail` itself when nothing was enqueued). For loops that enqueue
 * many entries (advance): they load CTL_TAIL once and store it once. CTL_TAIL may be stale
 * in between, except that a full ring stores it before it grows.
 */
export function readyAt(id: i32, tail: u32): u32 {
  if (id < 0) {
    if (id == NONE) return tail;
  } else {
    const rec = liveRecord(id);
    if (rec == 0) return tail;
    const flags = flagsOf(rec);
    if (flags & TASK_QUEUED) return tail;
    setFlags(rec, flags | TASK_QUEUED);
    bumpWakeups(rec);
  }
  if (tail - <u32>ctl(CTL_HEAD) > mask) {
    setCtl(CTL_TAIL, <i32>tail);
    grow();
    tail = <u32>ctl(CTL_TAIL);
  }
  store<i32>(ring + ((<usize>(tail & mask)) << 2), id);
  return tail + 1;
}

/** Dequeues the oldest live id or token, or NONE. Skips ids made stale while they waited. */
export function popReady(): i32 {
  while (ctl(CTL_HEAD) != ctl(CTL_TAIL)) {
    const id = shiftEntry();
    if (id != NONE) return id;
  }
  return NONE;
}

/**
 * Dequeues exactly one entry (the ring must not be empty): its id if still live, a token
 * as it is, NONE if it was made stale. drain() uses it to consume no more than `max`.
 */
export function shiftEntry(): i32 {
  const head = <u32>ctl(CTL_HEAD);
  const id = load<i32>(ring + ((<usize>(head & mask)) << 2));
  setCtl(CTL_HEAD, <i32>(head + 1));
  if (id < 0) return id;
  const rec = liveRecord(id);
  if (rec == 0) return NONE;
  setFlags(rec, flagsOf(rec) & ~TASK_QUEUED);
  return id;
}

/**
 * Dequeues exactly `count` entries (at most readyLength()) and writes the live ids, each
 * with a switch recorded, and the tokens among them to `out`, in order. Returns how many
 * it wrote. One pass with the head in a local: drain()'s loop.
 */
export function drainEntries(out: usize, count: i32): i32 {
  let head = <u32>ctl(CTL_HEAD);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const id = load<i32>(ring + ((<usize>(head & mask)) << 2));
    head++;
    if (id >= 0) {
      const rec = liveRecord(id);
      if (rec == 0) continue;
      setFlags(rec, flagsOf(rec) & ~TASK_QUEUED);
      bumpSwitches(rec);
    }
    store<i32>(out + ((<usize>n) << 2), id);
    n++;
  }
  setCtl(CTL_HEAD, <i32>head);
  return n;
}

/** Empties the ring (its capacity stays). */
export function resetReady(): void {
  setCtl(CTL_HEAD, 0);
  setCtl(CTL_TAIL, 0);
}

/** Entries in the ring, counting stale ones not yet skipped: an upper bound. */
export function readyLength(): i32 {
  return ctl(CTL_TAIL) - ctl(CTL_HEAD);
}

function grow(): void {
  const cap = mask + 1;
  const next = heap.alloc((<usize>cap) << 3);
  // Unwrap [head, tail) into the front of the new ring.
  const h = <u32>ctl(CTL_HEAD) & mask;
  const first = cap - h;
  memory.copy(next, ring + ((<usize>h) << 2), (<usize>first) << 2);
  memory.copy(next + ((<usize>first) << 2), ring, (<usize>h) << 2);
  heap.free(ring);
  ring = next;
  mask = (cap << 1) - 1;
  setCtl(CTL_HEAD, 0);
  setCtl(CTL_TAIL, <i32>cap);
  publish();
  bumpEpoch();
}
