// The task table: one 16-byte record per slot, a generation per slot, a FIFO free list.
//
//   tasks ──▶ ┌──────────┬──────────┬────────────┬────────────┐
//   slot 0    │ gen u32  │ flags u32│ switches   │ wakeups    │  16 bytes
//             ├──────────┼──────────┼────────────┼────────────┤
//   slot 1    │   ...    │          │            │ (next free)│
//             └──────────┴──────────┴────────────┴────────────┘
//
// Invariant: a slot is live iff `flags & TASK_LIVE`; an id is valid iff its slot is live
// and its generation equals the slot's. While a slot is free its `wakeups` word links it
// into the free list (a union: nothing reads a free slot's counters).
//
// Released slots are reused oldest-first (FIFO), so a stale id can only alias a live task
// after its *own* slot has been reused GEN_MASK + 1 = 512 times — with many free slots,
// far more releases than that. Cost: every operation is O(1); growth is amortised O(1).
//
// Shared: the host reads records directly (isLive, taskState, counters) and writes flags,
// switches and wakeups (ready, nextReady, recordSwitch) through the control block's
// CTL_TASKS address; spawn and release, which move the free list, stay in the core.

import {
  CTL_TASKS,
  CTL_TASK_COUNT,
  CTL_TASK_HIGH,
  GEN_MASK,
  INITIAL_TASKS,
  MAX_SLOTS,
  SLOT_BITS,
  SLOT_MASK,
  TASK_LIVE,
  ERR_CAPACITY,
} from "./constants";
import { bumpEpoch, setCtl } from "./control";

const TASK_BYTES: usize = 16;
const OFF_GEN: usize = 0;
const OFF_FLAGS: usize = 4;
const OFF_SWITCHES: usize = 8;
const OFF_WAKEUPS: usize = 12;
const OFF_NEXT_FREE: usize = 12; // union with wakeups while free

let tasks: usize = 0; // base of the table
let capacity: i32 = 0; // records allocated
let high: i32 = 0; // slots ever used: [0, high)
let live: i32 = 0;
let freeHead: i32 = -1; // FIFO of released slots
let freeTail: i32 = -1;

export function initTasks(): void {
  capacity = INITIAL_TASKS;
  tasks = heap.alloc(<usize>capacity * TASK_BYTES);
  memory.fill(tasks, 0, <usize>capacity * TASK_BYTES);
  setCtl(CTL_TASKS, <i32>tasks);
}

@inline export function taskRecord(slot: i32): usize {
  return tasks + <usize>slot * TASK_BYTES;
}

/** The record of a valid id, or 0 when the id is stale, free or out of range. */
@inline export function liveRecord(id: i32): usize {
  if (id < 0) return 0;
  const slot = id & SLOT_MASK;
  if (slot >= high) return 0;
  const rec = taskRecord(slot);
  const flags = load<u32>(rec, OFF_FLAGS);
  if ((flags & TASK_LIVE) == 0) return 0;
  if (load<u32>(rec, OFF_GEN) != <u32>(id >>> SLOT_BITS)) return 0;
  return rec;
}

export function spawnTask(): i32 {
  let slot: i32;
  if (freeHead >= 0) {
    slot = freeHead;
    freeHead = load<i32>(taskRecord(slot), OFF_NEXT_FREE);
    if (freeHead < 0) freeTail = -1;
  } else {
    if (high == MAX_SLOTS) return ERR_CAPACITY;
    if (high == capacity) grow();
    slot = high++;
    setCtl(CTL_TASK_HIGH, high);
  }
  const rec = taskRecord(slot);
  store<u32>(rec, TASK_LIVE, OFF_FLAGS);
  store<u32>(rec, 0, OFF_SWITCHES);
  store<u32>(rec, 0, OFF_WAKEUPS);
  setCtl(CTL_TASK_COUNT, ++live);
  return <i32>(load<u32>(rec, OFF_GEN) << SLOT_BITS) | slot;
}

export function releaseTask(id: i32): bool {
  const rec = liveRecord(id);
  if (rec == 0) return false;
  const slot = id & SLOT_MASK;
  // A new generation makes every id handed out for this slot stale, including one still
  // sitting in the ready queue or named by an armed timer: those are skipped when reached.
  store<u32>(rec, (load<u32>(rec, OFF_GEN) + 1) & GEN_MASK, OFF_GEN);
  store<u32>(rec, 0, OFF_FLAGS);
  store<i32>(rec, -1, OFF_NEXT_FREE);
  if (freeTail >= 0) store<i32>(taskRecord(freeTail), slot, OFF_NEXT_FREE);
  else freeHead = slot;
  freeTail = slot;
  setCtl(CTL_TASK_COUNT, --live);
  return true;
}

function grow(): void {
  const next = capacity << 1;
  tasks = heap.realloc(tasks, <usize>next * TASK_BYTES);
  memory.fill(taskRecord(capacity), 0, <usize>(next - capacity) * TASK_BYTES);
  capacity = next;
  setCtl(CTL_TASKS, <i32>tasks);
  bumpEpoch();
}

@inline export function flagsOf(rec: usize): u32 {
  return load<u32>(rec, OFF_FLAGS);
}
@inline export function setFlags(rec: usize, flags: u32): void {
  store<u32>(rec, flags, OFF_FLAGS);
}
@inline export function bumpSwitches(rec: usize): void {
  store<u32>(rec, load<u32>(rec, OFF_SWITCHES) + 1, OFF_SWITCHES);
}
@inline export function bumpWakeups(rec: usize): void {
  store<u32>(rec, load<u32>(rec, OFF_WAKEUPS) + 1, OFF_WAKEUPS);
}
@inline export function switchesOf(rec: usize): u32 {
  return load<u32>(rec, OFF_SWITCHES);
}
@inline export function wakeupsOf(rec: usize): u32 {
  return load<u32>(rec, OFF_WAKEUPS);
}
/** Releases every live task (generations move on: every id handed out becomes stale). */
export function resetTasks(): void {
  for (let slot = 0; slot < high; slot++) {
    const rec = taskRecord(slot);
    if (load<u32>(rec, OFF_FLAGS) & TASK_LIVE)
      releaseTask(<i32>(load<u32>(rec, OFF_GEN) << SLOT_BITS) | slot);
  }
}

export function liveTasks(): i32 {
  return live;
}
