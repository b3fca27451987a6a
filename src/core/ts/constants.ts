// Constants of the core's ABI, TypeScript side.
//
// *Must* match assembly/constants.ts (the WebAssembly core) and docs/abi.md;
// test/core/constants.test.ts checks them against the built module.

/** Bumped whenever an export, a constant or the memory layout changes meaning. */
export const ABI_VERSION = 1;
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
/** sleepUntil: the task id is stale. (Error codes are negative: never an id.) */
export const ERR_STALE = -1;
/** sleepUntil/advance: the deadline or time is NaN. */
export const ERR_DEADLINE = -2;
/** spawn/sleepUntil: MAX_SLOTS live tasks or armed timers already. */
export const ERR_CAPACITY = -3;
/** Deadlines above this are clamped to it: the largest time a JS Date can hold. */
export const MAX_DEADLINE = 8.64e15;
/** Ids per drain()/readyBatch() call. */
export const BATCH_CAPACITY = 1024;
/** taskState() flag: the id names a live task. */
export const TASK_LIVE = 1;
/** taskState() flag: the task is in the ready queue. */
export const TASK_QUEUED = 2;
/** Initial capacities; tables double as they fill. */
export const INITIAL_TASKS = 1024;
export const INITIAL_TIMERS = 1024;
export const INITIAL_READY = 1024;
