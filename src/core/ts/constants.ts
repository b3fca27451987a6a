// Constants of the core's ABI, TypeScript side.
//
// *Must* match assembly/constants.ts (the WebAssembly core) and docs/abi.md;
// test/core/constants.test.ts checks them against the built module.

/** Bumped whenever an export, a constant or the memory layout changes meaning. */
export const ABI_VERSION = 2;
/** Ids are `generation << SLOT_BITS | slot`: see assembly/constants.ts for the drawing. */
export const SLOT_BITS = 22;
/** The slot of an id: `id & SLOT_MASK`. */
export const SLOT_MASK = (1 << SLOT_BITS) - 1;
/** Live tasks (and armed timers) a core can hold: 4,194,304. */
export const MAX_SLOTS = 1 << SLOT_BITS;
/** Generations per slot (9 bits): `id >>> SLOT_BITS`. */
export const GEN_MASK = 0x1ff;
/** "No id": what nextReady() returns on an empty queue. */
export const NONE = -1;
/** The largest host token: ready entries and timer targets <= -2 are the host's, as is. */
export const TOKEN_MAX = -2;
/** sleepUntil: the task id is stale. (Error codes are negative: never an id.) */
export const ERR_STALE = -1;
/** sleepUntil/arm/advance: the deadline or time is NaN. */
export const ERR_DEADLINE = -2;
/** spawn/arm: MAX_SLOTS live tasks or timers already. */
export const ERR_CAPACITY = -3;
/** Deadlines above this are clamped to it: the largest time a JS Date can hold. */
export const MAX_DEADLINE = 8.64e15;
/** Ids per drain()/readyBatch()/armBatch() call. */
export const BATCH_CAPACITY = 1024;
/** taskState() flag: the id names a live task. */
export const TASK_LIVE = 1;
/** taskState() flag: the task is in the ready queue. */
export const TASK_QUEUED = 2;
/** Initial capacities; tables double as they fill. */
export const INITIAL_TASKS = 1024;
export const INITIAL_TIMERS = 1024;
export const INITIAL_READY = 1024;
/** Timers the host may arm before the core must read them (see assembly/constants.ts). */
export const PENDING_CAPACITY = 1024;

// The control block's words: see assembly/constants.ts and docs/abi.md for who writes each.
/** Bumped whenever a shared table moves. */
export const CTL_EPOCH = 0;
/** Byte address of the task table (wasm; 0 in the TS twin, whose tables are arrays). */
export const CTL_TASKS = 1;
/** Task slots ever used. */
export const CTL_TASK_HIGH = 2;
/** Live tasks. */
export const CTL_TASK_COUNT = 3;
/** Byte address of the ready ring. */
export const CTL_RING = 4;
/** Ready-ring capacity minus one. */
export const CTL_RING_MASK = 5;
/** Ready-queue head counter. */
export const CTL_HEAD = 6;
/** Ready-queue tail counter. */
export const CTL_TAIL = 7;
/** Byte address of the timer generations (i32 per slot). */
export const CTL_TIMER_GENS = 8;
/** Byte address of the timer deadlines (f64 per slot). */
export const CTL_TIMER_DEADLINES = 9;
/** Byte address of the free bitmap (bit set: slot free). */
export const CTL_TIMER_FREE = 10;
/** Byte address of the armed bitmap (bit set: slot armed). */
export const CTL_TIMER_ARMED = 11;
/** Timer slots (a multiple of 32). */
export const CTL_TIMER_CAP = 12;
/** The slot the allocator looks at first. */
export const CTL_CURSOR = 13;
/** Free timer slots. */
export const CTL_FREE_COUNT = 14;
/** Byte address of the pending buffer. */
export const CTL_PENDING = 15;
/** Entries in the pending buffer the core has not read. */
export const CTL_PENDING_LEN = 16;
/** Armed timers. */
export const CTL_ARMED = 17;
/** Cancelled timers not yet collected. */
export const CTL_TOMBS = 18;
/** 1 while CTL_NEXT may be below the earliest deadline. */
export const CTL_NEXT_DIRTY = 19;
/** The f64 lower bound of the earliest deadline, in words 20-21 (f64 element 10). */
export const CTL_NEXT = 20;
/** Words in the control block. */
export const CONTROL_WORDS = 22;

/** i32 words per task record. */
export const TASK_WORDS = 4;
/** Task record word: generation. */
export const TASK_GEN = 0;
/** Task record word: TASK_LIVE | TASK_QUEUED. */
export const TASK_FLAGS = 1;
/** Task record word: switches. */
export const TASK_SWITCHES = 2;
/** Task record word: wakeups (the next free slot while free). */
export const TASK_WAKEUPS = 3;

/** i32 words per pending entry (16 bytes; the deadline is f64 element 2 * i). */
export const PENDING_WORDS = 4;
/** Pending entry word: the timer slot. */
export const PENDING_SLOT = 2;
/** Pending entry word: the target. */
export const PENDING_TARGET = 3;
