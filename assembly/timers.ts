// Timers: the timer table the host arms into without calling the core, and the ordering
// work the core does once per tick — a hierarchical wheel (wheel.ts) for deadlines within
// ~2 years, an overflow heap (overflow.ts) for the rest, merged in (deadline, arming order).
//
// HOW a timer lives. The host (src/core/port.ts, or this file's arm() for hosts that call
// in) finds a free slot with the next-fit cursor, flips its bits from free to armed, bumps
// its generation and appends (deadline, slot, target) to the pending buffer: no call into
// the core. The core reads the pending buffer at its next sync/advance/nextDeadline
// ("consume") and files each timer into the wheel or the heap. Cancelling is a write too:
// the armed bit is cleared and the timer becomes a tombstone that the core frees when it
// meets it — at consume (cancelled before it was filed), when it comes due, when
// nextDeadline looks at its slot, or in a sweep, which runs when tombstones outnumber armed
// timers (so a sweep's O(n) is paid for by n/2 cancels).
//
//   timer table, structure of arrays (one block, addresses in the control block):
//     gens      ──▶ [ i32 | i32 | ... ]        generation of each slot, bumped at arm
//     deadlines ──▶ [ f64 | f64 | ... ]        deadline of each slot (for timerDeadline)
//     free      ──▶ [ bits 0-31 | 32-63 | ...] set: the slot is free
//     armed     ──▶ [ bits 0-31 | 32-63 | ...] set: the slot holds an armed timer
//   a slot is FREE (free bit), ARMED (armed bit) or a tombstone (neither bit: cancelled,
//   not yet met by the core). FREE ─arm─▶ ARMED ─fire─▶ FREE
//                                            └─disarm─▶ tombstone ─collect─▶ FREE
//
//   pending ──▶ ┌──────────────┬──────────┬────────────┐
//   entry i     │ deadline f64 │ slot i32 │ target i32 │   CTL_PENDING_LEN of PENDING_CAPACITY
//               └──────────────┴──────────┴────────────┘
//
// WHY this shape. With a million timers, every random access to a per-timer record is a
// cache miss. Here arming writes the slot's generation and deadline (sequential: the cursor
// hands out slots in address order) and the bitmaps (a bit per slot: 128 KiB per million,
// cache-resident); the deadline and target travel in the pending entry, the wheel entry or
// the heap node; firing touches only the bitmaps and the target's queue entry.
//
// A handle is `gen << SLOT_BITS | slot`; it names its timer while the slot's armed bit is
// set and its generation unchanged — so a handle of a fired or cancelled timer never names
// another. The cursor reuses a freed slot only after it has gone once round the table, so
// a generation comes back (512 arms of one slot) about as late as with the task table's
// oldest-first reuse.
//
// Order. Timers fire in (deadline, arming order). The wheel keeps arming order within a
// slot and sorts a due slot stably by deadline (wheel.ts). Between wheel and heap: a heap
// timer and a wheel timer with one deadline share one tick, and the heap one is always
// the older — it went to the heap because, when the core took it in, that tick was before
// the wheel's time or in another epoch, and a wheel timer with that tick can only have been
// taken in later (the wheel's time only moves back while the wheel is empty). So the merge
// fires heap timers first on equal deadlines, and no wheel entry needs a sequence number.
//
// CTL_NEXT is a lower bound of the earliest armed deadline that stays exact until a live
// timer fires or the one at the bound is cancelled (which sets CTL_NEXT_DIRTY): the host
// answers nextDeadline() from it, and skips advance(now) for now < CTL_NEXT, without calls.

import {
  CTL_ARMED,
  CTL_CURSOR,
  CTL_FREE_COUNT,
  CTL_NEXT_DIRTY,
  CTL_PENDING,
  CTL_PENDING_LEN,
  CTL_TAIL,
  CTL_TIMER_ARMED,
  CTL_TIMER_CAP,
  CTL_TIMER_DEADLINES,
  CTL_TIMER_FREE,
  CTL_TIMER_GENS,
  CTL_TOMBS,
  ERR_CAPACITY,
  ERR_DEADLINE,
  ERR_STALE,
  GEN_MASK,
  INITIAL_TIMERS,
  MAX_DEADLINE,
  MAX_SLOTS,
  NONE,
  PENDING_CAPACITY,
  PENDING_SLOT,
  PENDING_TARGET,
  PENDING_WORDS,
  SLOT_BITS,
  SLOT_MASK,
} from "./constants";
import { bumpEpoch, ctl, ctlNext, setCtl, setCtlNext } from "./control";
import { readyAt } from "./ready";
import { liveRecord } from "./tasks";
import {
  initWheel,
  resetWheel,
  scratchDeadline,
  scratchTarget,
  scratchTimer,
  wheelAdvanceTo,
  wheelCount,
  wheelEarliestSlot,
  wheelElapsed,
  wheelFilterMin,
  wheelFits,
  wheelInsert,
  wheelPutBack,
  wheelRebase,
  wheelSweep,
  wheelTakeDue,
} from "./wheel";
import {
  initOverflow,
  overflowFilter,
  overflowLength,
  overflowPop,
  overflowPush,
  overflowTopDeadline,
  overflowTopTarget,
  overflowTopTimer,
  resetOverflow,
} from "./overflow";

const PENDING_BYTES: usize = (<usize>PENDING_WORDS) << 2;
/** The largest tick (whole ms) a deadline can have: MAX_DEADLINE is a whole number. */
const MAX_TICK: u64 = 8640000000000000;

let block: usize = 0; // the table's one allocation: gens | deadlines | free | armed
let gens: usize = 0;
let deadlines: usize = 0;
let freeBits: usize = 0;
let armedBits: usize = 0;
let cap: i32 = 0;
let pending: usize = 0;
/** Arming order of the timers filed into the heap (the wheel needs none: see Order). */
let seq: u64 = 0;
/** The `now` of the latest advance: the wheel never restarts later than it (see rebase). */
let lastNow: f64 = 0;
// advance()'s tallies, kept here and stored into the control block once at its end rather
// than read and written for every timer it fires.
/** Slots freed (fired or collected). */
let freedSlots: i32 = 0;
/** Armed timers fired: CTL_NEXT is no longer exact if any did. */
let firedLive: i32 = 0;
/** Tombstones met and freed. */
let tombsFreed: i32 = 0;
/** The ready queue's tail counter. */
let readyTail: u32 = 0;

export function initTimers(): void {
  pending = heap.alloc(<usize>PENDING_CAPACITY * PENDING_BYTES);
  setCtl(CTL_PENDING, <i32>pending);
  setCtl(CTL_PENDING_LEN, 0);
  resize(INITIAL_TIMERS);
  setCtl(CTL_ARMED, 0);
  setCtl(CTL_TOMBS, 0);
  setCtl(CTL_NEXT_DIRTY, 0);
  setCtlNext(Infinity);
  initWheel();
  initOverflow();
}

/** Bytes of a table of n slots: an i32 and an f64 per slot, two bits per slot. */
@inline function tableBytes(n: i32): usize {
  return <usize>n * 12 + ((<usize>n >> 5) << 3);
}

/**
 * Moves the table into a block of `next` slots, copying the old ones; the new slots are
 * free, with generation 0, and the cursor starts at the first of them.
 */
function resize(next: i32): void {
  const old = cap;
  const fresh = heap.alloc(tableBytes(next));
  const g = fresh;
  const d = g + (<usize>next << 2);
  const f = d + (<usize>next << 3);
  const a = f + (<usize>next >> 3);
  if (old > 0) {
    memory.copy(g, gens, <usize>old << 2);
    memory.copy(d, deadlines, <usize>old << 3);
    memory.copy(f, freeBits, <usize>old >> 3);
    memory.copy(a, armedBits, <usize>old >> 3);
    heap.free(block);
  }
  const added = <usize>(next - old);
  memory.fill(g + (<usize>old << 2), 0, added << 2);
  memory.fill(d + (<usize>old << 3), 0, added << 3);
  memory.fill(f + (<usize>old >> 3), 0xff, added >> 3);
  memory.fill(a + (<usize>old >> 3), 0, added >> 3);
  block = fresh;
  gens = g;
  deadlines = d;
  freeBits = f;
  armedBits = a;
  cap = next;
  setCtl(CTL_TIMER_GENS, <i32>g);
  setCtl(CTL_TIMER_DEADLINES, <i32>d);
  setCtl(CTL_TIMER_FREE, <i32>f);
  setCtl(CTL_TIMER_ARMED, <i32>a);
  setCtl(CTL_TIMER_CAP, next);
  setCtl(CTL_CURSOR, old);
  setCtl(CTL_FREE_COUNT, ctl(CTL_FREE_COUNT) + next - old);
  bumpEpoch();
}

@inline function word(bits: usize, slot: i32): usize {
  return bits + ((<usize>slot >> 5) << 2);
}
@inline function isArmed(slot: i32): bool {
  return (load<u32>(word(armedBits, slot)) & (<u32>1 << (<u32>slot & 31))) != 0;
}

/** Returns a slot whose timer fired or was collected to the free bitmap. */
function freeSlot(slot: i32): void {
  const w = word(freeBits, slot);
  store<u32>(w, load<u32>(w) | (<u32>1 << (<u32>slot & 31)));
  setCtl(CTL_FREE_COUNT, ctl(CTL_FREE_COUNT) + 1);
}

// ── what the host does (these exports do it for hosts that call in; port.ts does the same
//    through memory) ─────────────────────────────────────────────────────────────────────

/**
 * Arms a timer for `target` (a task id, not checked until it fires, or a host token) at
 * `deadline`: NaN is ERR_DEADLINE, above MAX_DEADLINE is clamped. Returns its handle, or
 * ERR_STALE for target NONE, or ERR_CAPACITY past MAX_SLOTS timers.
 */
export function arm(target: i32, deadline: f64): i32 {
  if (target == NONE) return ERR_STALE;
  if (isNaN(deadline)) return ERR_DEADLINE;
  if (deadline > MAX_DEADLINE) deadline = MAX_DEADLINE;
  if (ctl(CTL_FREE_COUNT) == 0 || ctl(CTL_PENDING_LEN) == PENDING_CAPACITY) {
    sync();
    if (ctl(CTL_FREE_COUNT) == 0) return ERR_CAPACITY;
  }
  // Next fit: the first free slot at or after the cursor, wrapping round.
  const cursor = ctl(CTL_CURSOR);
  let w = cursor >> 5;
  let bits = load<u32>(freeBits + (<usize>w << 2)) & (<u32>0xffffffff << (<u32>cursor & 31));
  while (bits == 0) {
    w = w + 1 == cap >> 5 ? 0 : w + 1;
    bits = load<u32>(freeBits + (<usize>w << 2));
  }
  const bit = bits & (0 - bits);
  const slot = (w << 5) | <i32>ctz(bit);
  const fw = freeBits + (<usize>w << 2);
  store<u32>(fw, load<u32>(fw) ^ bit);
  const aw = armedBits + (<usize>w << 2);
  store<u32>(aw, load<u32>(aw) | bit);
  setCtl(CTL_CURSOR, slot + 1 == cap ? 0 : slot + 1);
  setCtl(CTL_FREE_COUNT, ctl(CTL_FREE_COUNT) - 1);
  const gen = (load<u32>(gens + (<usize>slot << 2)) + 1) & GEN_MASK;
  store<u32>(gens + (<usize>slot << 2), gen);
  store<f64>(deadlines + (<usize>slot << 3), deadline);
  const n = ctl(CTL_PENDING_LEN);
  const e = pending + <usize>n * PENDING_BYTES;
  store<f64>(e, deadline);
  store<i32>(e + ((<usize>PENDING_SLOT) << 2), slot);
  store<i32>(e + ((<usize>PENDING_TARGET) << 2), target);
  setCtl(CTL_PENDING_LEN, n + 1);
  setCtl(CTL_ARMED, ctl(CTL_ARMED) + 1);
  if (deadline < ctlNext()) setCtlNext(deadline);
  return <i32>(gen << SLOT_BITS) | slot;
}

/** Arms a timer that readies task `id`: ERR_STALE, checked first, if the task is not live. */
export function sleepUntil(id: i32, deadline: f64): i32 {
  if (liveRecord(id) == 0) return ERR_STALE;
  return arm(id, deadline);
}

/** The slot of a handle that names an armed timer, or -1. */
function armedSlot(handle: i32): i32 {
  if (handle < 0) return -1;
  const slot = handle & SLOT_MASK;
  if (slot >= cap) return -1;
  if (load<u32>(gens + (<usize>slot << 2)) != <u32>(handle >>> SLOT_BITS)) return -1;
  return isArmed(slot) ? slot : -1;
}

/** Cancels a timer: true if it was armed and had not fired; false for any stale handle. */
export function disarm(handle: i32): bool {
  const slot = armedSlot(handle);
  if (slot < 0) return false;
  const aw = word(armedBits, slot);
  store<u32>(aw, load<u32>(aw) & ~(<u32>1 << (<u32>slot & 31)));
  setCtl(CTL_ARMED, ctl(CTL_ARMED) - 1);
  setCtl(CTL_TOMBS, ctl(CTL_TOMBS) + 1);
  if (load<f64>(deadlines + (<usize>slot << 3)) <= ctlNext()) setCtl(CTL_NEXT_DIRTY, 1);
  return true;
}

/** The deadline of an armed timer (as clamped), NaN otherwise. */
export function timerDeadline(handle: i32): f64 {
  const slot = armedSlot(handle);
  return slot < 0 ? NaN : load<f64>(deadlines + (<usize>slot << 3));
}

export function armedTimers(): i32 {
  return ctl(CTL_ARMED);
}

// ── what the core does ───────────────────────────────────────────────────────────────

/**
 * Takes in the pending arms, collects tombstones if they outnumber armed timers, and makes
 * room: after it, at least half the table is free (or it holds MAX_SLOTS) and the pending
 * buffer is empty. A host calls it when either runs out.
 */
export function sync(): void {
  consume();
  collect();
  if (ctl(CTL_FREE_COUNT) < cap >> 1 && cap < MAX_SLOTS) resize(min(cap << 1, MAX_SLOTS));
}

/** Files every pending timer into the wheel or the heap; frees the ones already cancelled. */
function consume(): void {
  const n = ctl(CTL_PENDING_LEN);
  if (n == 0) return;
  if (wheelCount() == 0) rebase(n);
  for (let i = 0; i < n; i++) {
    const e = pending + <usize>i * PENDING_BYTES;
    const slot = load<i32>(e + ((<usize>PENDING_SLOT) << 2));
    if (!isArmed(slot)) {
      freeSlot(slot);
      setCtl(CTL_TOMBS, ctl(CTL_TOMBS) - 1);
      continue;
    }
    const deadline = load<f64>(e);
    const target = load<i32>(e + ((<usize>PENDING_TARGET) << 2));
    if (wheelFits(deadline)) wheelInsert(deadline, slot, target);
    else overflowPush(deadline, seq++, slot, target);
  }
  setCtl(CTL_PENDING_LEN, 0);
}

/**
 * The wheel is empty, so its time may move anywhere: to the earliest of the latest `now`
 * and the pending deadlines (not before 0). Backwards, so a host that advanced to Infinity
 * and arms again from 0 fills the wheel, not the heap; never past the latest `now`, so one
 * far timer cannot push the wheel's time past the near ones that follow it.
 */
function rebase(n: i32): void {
  let low = lastNow;
  for (let i = 0; i < n; i++) {
    const deadline = load<f64>(pending + <usize>i * PENDING_BYTES);
    if (deadline < low) low = deadline;
  }
  if (low < 0) low = 0;
  wheelRebase(low >= <f64>MAX_TICK ? MAX_TICK : <u64>low);
}

/** Frees a tombstone met in a slot or the heap (false: drop the entry); true for a live one. */
function keepLive(timer: i32): bool {
  if (isArmed(timer)) return true;
  freeSlot(timer);
  setCtl(CTL_TOMBS, ctl(CTL_TOMBS) - 1);
  return false;
}

/** Sweeps tombstones out of the wheel and the heap once they outnumber armed timers. */
function collect(): void {
  if (ctl(CTL_TOMBS) <= ctl(CTL_ARMED)) return;
  wheelSweep(keepLive);
  overflowFilter(keepLive);
  assert(ctl(CTL_TOMBS) == 0);
}

/** A due timer: readies its target if it is armed, frees it either way. 1 if it enqueued. */
function fire(slot: i32, target: i32): i32 {
  const bit = <u32>1 << (<u32>slot & 31);
  const fw = word(freeBits, slot);
  store<u32>(fw, load<u32>(fw) | bit);
  freedSlots++;
  const aw = word(armedBits, slot);
  const bits = load<u32>(aw);
  if ((bits & bit) == 0) {
    tombsFreed++;
    return 0;
  }
  store<u32>(aw, bits ^ bit);
  firedLive++;
  const tail = readyTail;
  readyTail = readyAt(target, tail);
  return readyTail != tail ? 1 : 0;
}

/** Fires the heap's timers with deadline <= limit, in order. */
function fireOverflow(limit: f64): i32 {
  let moved = 0;
  while (overflowLength() > 0 && overflowTopDeadline() <= limit) {
    const slot = overflowTopTimer();
    const target = overflowTopTarget();
    overflowPop();
    moved += fire(slot, target);
  }
  return moved;
}

/**
 * Fires every timer whose deadline is <= now, in (deadline, arming order), readying its
 * target inside the core. Returns how many entries it enqueued (a stale task, or one already
 * queued, is not counted; a token always is), or ERR_DEADLINE for a NaN `now`.
 */
export function advance(now: f64): i32 {
  if (isNaN(now)) return ERR_DEADLINE;
  consume();
  collect();
  lastNow = now;
  freedSlots = 0;
  firedLive = 0;
  tombsFreed = 0;
  readyTail = <u32>ctl(CTL_TAIL);
  let moved = 0;
  if (now >= <f64>wheelElapsed()) {
    const target: u64 = now >= <f64>MAX_TICK ? MAX_TICK : <u64>now;
    for (let n = wheelTakeDue(target); n > 0; n = wheelTakeDue(target)) {
      let k = 0;
      for (; k < n; k++) {
        const deadline = scratchDeadline(k);
        if (deadline > now) break;
        // Heap timers first on a tie: they are the older (see Order above).
        if (overflowLength() > 0 && overflowTopDeadline() <= deadline) {
          moved += fireOverflow(deadline);
        }
        moved += fire(scratchTimer(k), scratchTarget(k));
      }
      // Entries left are in the slot at floor(now): not due yet, and nothing after them is.
      if (k < n) {
        wheelPutBack(k, n);
        break;
      }
    }
    wheelAdvanceTo(target);
  }
  moved += fireOverflow(now);
  setCtl(CTL_TAIL, <i32>readyTail);
  setCtl(CTL_FREE_COUNT, ctl(CTL_FREE_COUNT) + freedSlots);
  setCtl(CTL_ARMED, ctl(CTL_ARMED) - firedLive);
  setCtl(CTL_TOMBS, ctl(CTL_TOMBS) - tombsFreed);
  if (firedLive > 0) setCtl(CTL_NEXT_DIRTY, 1);
  return moved;
}

/** The earliest armed deadline, exactly; Infinity when none is armed. Refreshes CTL_NEXT. */
export function nextDeadline(): f64 {
  consume();
  collect();
  let next = Infinity;
  // The earliest occupied slot holds the earliest wheel timers; drop its tombstones first.
  for (let s = wheelEarliestSlot(); s >= 0; s = wheelEarliestSlot()) {
    next = wheelFilterMin(s, keepLive);
    if (next != Infinity) break;
  }
  while (overflowLength() > 0) {
    const slot = overflowTopTimer();
    if (isArmed(slot)) {
      next = min(next, overflowTopDeadline());
      break;
    }
    overflowPop();
    keepLive(slot);
  }
  setCtlNext(next);
  setCtl(CTL_NEXT_DIRTY, 0);
  return next;
}

/** Disarms every timer (every handle handed out becomes stale: no armed bit is left). */
export function resetTimers(): void {
  setCtl(CTL_PENDING_LEN, 0);
  memory.fill(freeBits, 0xff, <usize>cap >> 3);
  memory.fill(armedBits, 0, <usize>cap >> 3);
  setCtl(CTL_FREE_COUNT, cap);
  setCtl(CTL_CURSOR, 0);
  resetWheel();
  resetOverflow();
  setCtl(CTL_ARMED, 0);
  setCtl(CTL_TOMBS, 0);
  setCtl(CTL_NEXT_DIRTY, 0);
  setCtlNext(Infinity);
  lastNow = 0;
}
