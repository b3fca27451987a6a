// spindle's scheduler core: the module's exports, which docs/abi.md documents one by one.
//
// The module imports nothing (built with `use: ["abort="]`), so any WebAssembly host can
// instantiate it with an empty import object. Call init() once before anything else.
//
// Crossings. A host crosses into the core a constant number of times per tick, not once
// per task or timer:
//  - batches: it reads the entries to run from the OUT buffer (drain) and writes the ids to
//    ready into the IN buffer (readyBatch), both BATCH_CAPACITY i32s at fixed addresses
//    (batchOut(), batchIn()) for the life of the instance;
//  - shared memory: through the control block (control(), control.ts) it reads and writes
//    the task table, the ready ring and the timer table directly — one-entry ready/nextReady,
//    arming and disarming timers — and calls in only when a table must grow.
// memory.grow (when a table doubles) detaches a host's typed-array views of memory:
// re-create them when the control block's epoch changes (a detached view reads undefined).

import { ABI_VERSION, BATCH_CAPACITY } from "./constants";
import { controlAddress, initControl } from "./control";
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
  drainEntries,
  resetReady,
  readyLength as ringLength,
} from "./ready";
import {
  initTimers,
  arm as armTimer,
  disarm as disarmTimer,
  sleepUntil as sleepTimer,
  sync as syncTimers,
  advance as fire,
  nextDeadline as earliest,
  armedTimers,
  timerDeadline as deadlineOf,
  resetTimers,
} from "./timers";

let batchOutBase: usize = 0;
let batchInBase: usize = 0;
let batchDeadlinesBase: usize = 0;
let initialised = false;

export function abiVersion(): i32 {
  return ABI_VERSION;
}

/** Allocates the tables and batch buffers. Idempotent. */
export function init(): void {
  if (initialised) return;
  initialised = true;
  initControl();
  initTasks();
  initReady();
  initTimers();
  batchOutBase = heap.alloc((<usize>BATCH_CAPACITY) << 2);
  batchInBase = heap.alloc((<usize>BATCH_CAPACITY) << 2);
  batchDeadlinesBase = heap.alloc((<usize>BATCH_CAPACITY) << 3);
}

/** The address of the control block (CONTROL_WORDS i32s; fixed for the instance's life). */
export function control(): usize {
  return controlAddress();
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
/** The DEADLINES buffer: BATCH_CAPACITY f64s that armBatch reads. */
export function batchDeadlines(): usize {
  return batchDeadlinesBase;
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
 * live ids and the tokens among them to the OUT buffer, in queue order, recording a switch
 * for each id: the host resumes exactly those. Returns how many it wrote; entries made
 * stale are consumed and skipped, so a host that budgets a tick by readyLength() subtracts
 * `max`, not the return value.
 */
export function drain(max: i32): i32 {
  if (max > BATCH_CAPACITY) max = BATCH_CAPACITY;
  const length = ringLength();
  if (max > length) max = length;
  return max > 0 ? drainEntries(batchOutBase, max) : 0;
}

/**
 * Readies the first `n` entries (ids or tokens) of the IN buffer, in order. Returns how many
 * it enqueued.
 */
export function readyBatch(n: i32): i32 {
  if (n > BATCH_CAPACITY) n = BATCH_CAPACITY;
  let queued = 0;
  for (let i = 0; i < n; i++) {
    if (readyTask(load<i32>(batchInBase + ((<usize>i) << 2)))) queued++;
  }
  return queued;
}

// ── timers ───────────────────────────────────────────────────────────────────────────
export function arm(target: i32, deadline: f64): i32 {
  return armTimer(target, deadline);
}
export function disarm(handle: i32): bool {
  return disarmTimer(handle);
}
export function sleepUntil(id: i32, deadline: f64): i32 {
  return sleepTimer(id, deadline);
}
export function sync(): void {
  syncTimers();
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

/**
 * Arms the first `n` (at most BATCH_CAPACITY) timers described by IN (targets) and DEADLINES
 * (deadlines), in order, and writes each handle, or its error code, to OUT. Returns how many
 * it armed.
 */
export function armBatch(n: i32): i32 {
  if (n > BATCH_CAPACITY) n = BATCH_CAPACITY;
  let armed = 0;
  for (let i = 0; i < n; i++) {
    const at = (<usize>i) << 2;
    const handle = armTimer(load<i32>(batchInBase + at), load<f64>(batchDeadlinesBase + (at << 1)));
    store<i32>(batchOutBase + at, handle);
    if (handle >= 0) armed++;
  }
  return armed;
}

/** Disarms the timers of the first `n` handles of IN. Returns how many it disarmed. */
export function disarmBatch(n: i32): i32 {
  if (n > BATCH_CAPACITY) n = BATCH_CAPACITY;
  let disarmed = 0;
  for (let i = 0; i < n; i++) {
    if (disarmTimer(load<i32>(batchInBase + ((<usize>i) << 2)))) disarmed++;
  }
  return disarmed;
}
