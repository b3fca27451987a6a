// spindle's scheduler core: the module's exports, which docs/abi.md documents one by one.
//
// The module imports nothing (built with `use: ["abort="]`), so any WebAssembly host can
// instantiate it with an empty import object. Call init() once before anything else.
//
// Batching: a host crosses into the core a constant number of times per tick, not once
// per task. It reads the ids to run from the OUT buffer (drain) and writes the ids to
// ready into the IN buffer (readyBatch), both BATCH_CAPACITY i32s at fixed addresses
// (batchOut(), batchIn()) for the life of the instance. memory.grow (when a table
// doubles) detaches a host's typed-array views of memory: re-create them when
// `memory.buffer` changes.

import { ABI_VERSION, BATCH_CAPACITY, NONE } from "./constants";
import {
  initTasks,
  spawnTask,
  releaseTask,
  liveRecord,
  bumpSwitches,
  switchesOf,
  wakeupsOf,
  flagsOf,
  liveTasks,
  resetTasks,
} from "./tasks";
import {
  initReady,
  readyTask,
  popReady,
  shiftEntry,
  resetReady,
  readyLength as ringLength,
} from "./ready";
import {
  initTimers,
  sleepUntil as arm,
  cancelTimer as disarm,
  advance as fire,
  nextDeadline as earliest,
  armedTimers,
  timerDeadline as deadlineOf,
  resetTimers,
} from "./timers";

let batchOutBase: usize = 0;
let batchInBase: usize = 0;
let initialised = false;

export function abiVersion(): i32 {
  return ABI_VERSION;
}

/** Allocates the tables and batch buffers. Idempotent. */
export function init(): void {
  if (initialised) return;
  initialised = true;
  initTasks();
  initReady();
  initTimers();
  batchOutBase = heap.alloc((<usize>BATCH_CAPACITY) << 2);
  batchInBase = heap.alloc((<usize>BATCH_CAPACITY) << 2);
}

/**
 * Releases every task and disarms every timer: every id and handle handed out so far becomes
 * stale, as after release(). Tables keep their capacity, so a host can reuse an instance
 * (instantiating one costs far more) without an old id ever naming a new task.
 */
export function reset(): void {
  resetTimers();
  resetReady();
  resetTasks();
}

export function batchCapacity(): i32 {
  return BATCH_CAPACITY;
}
export function batchOut(): usize {
  return batchOutBase;
}
export function batchIn(): usize {
  return batchInBase;
}

// ── tasks ────────────────────────────────────────────────────────────────────────────
export function spawn(): i32 {
  return spawnTask();
}
export function release(id: i32): bool {
  return releaseTask(id);
}
export function isLive(id: i32): bool {
  return liveRecord(id) != 0;
}
/** Task flags (TASK_LIVE | TASK_QUEUED), 0 for a stale id. */
export function taskState(id: i32): u32 {
  const rec = liveRecord(id);
  return rec == 0 ? 0 : flagsOf(rec);
}
export function switches(id: i32): i32 {
  const rec = liveRecord(id);
  return rec == 0 ? -1 : <i32>switchesOf(rec);
}
export function wakeups(id: i32): i32 {
  const rec = liveRecord(id);
  return rec == 0 ? -1 : <i32>wakeupsOf(rec);
}
export function recordSwitch(id: i32): bool {
  const rec = liveRecord(id);
  if (rec == 0) return false;
  bumpSwitches(rec);
  return true;
}
export function taskCount(): i32 {
  return liveTasks();
}

// ── ready queue ──────────────────────────────────────────────────────────────────────
export function ready(id: i32): bool {
  return readyTask(id);
}
export function nextReady(): i32 {
  return popReady();
}
export function readyLength(): i32 {
  return ringLength();
}

/**
 * Pops up to `max` (at most BATCH_CAPACITY) entries off the ready queue and writes the
 * live ids among them to the OUT buffer, recording a switch for each: the host resumes
 * exactly those tasks. Returns how many ids it wrote; entries made stale are consumed
 * and skipped, so a host that budgets a tick by readyLength() subtracts `max`, not the
 * return value.
 */
export function drain(max: i32): i32 {
  if (max > BATCH_CAPACITY) max = BATCH_CAPACITY;
  const length = ringLength();
  if (max > length) max = length;
  let n = 0;
  // One entry per step, stale or not: popReady() would skip stale entries past `max`.
  for (let i = 0; i < max; i++) {
    const id = shiftEntry();
    if (id == NONE) continue;
    bumpSwitches(liveRecord(id));
    store<i32>(batchOutBase + ((<usize>n) << 2), id);
    n++;
  }
  return n;
}

/** Readies the first `n` ids of the IN buffer, in order. Returns how many it enqueued. */
export function readyBatch(n: i32): i32 {
  if (n > BATCH_CAPACITY) n = BATCH_CAPACITY;
  let queued = 0;
  for (let i = 0; i < n; i++) {
    if (readyTask(load<i32>(batchInBase + ((<usize>i) << 2)))) queued++;
  }
  return queued;
}

// ── timers ───────────────────────────────────────────────────────────────────────────
export function sleepUntil(id: i32, deadline: f64): i32 {
  return arm(id, deadline);
}
export function cancelTimer(handle: i32): bool {
  return disarm(handle);
}
export function timerDeadline(handle: i32): f64 {
  return deadlineOf(handle);
}
export function advance(now: f64): i32 {
  return fire(now);
}
export function nextDeadline(): f64 {
  return earliest();
}
export function timerCount(): i32 {
  return armedTimers();
}
