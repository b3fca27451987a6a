// Constants of the core's ABI, TypeScript side.
//
// *Must* match assembly/constants.ts (the WebAssembly core) and docs/abi.md;
// test/core/constants.test.ts checks them against the built module.

/** Bumped whenever an export, a constant or the memory layout changes meaning. */
export const ABI_VERSION = 1;
/** Ids are `generation << SLOT_BITS | slot`: see assembly/constants.ts for the drawing. */
export const SLOT_BITS = 22;
export const SLOT_MASK = (1 << SLOT_BITS) - 1;
export const MAX_SLOTS = 1 << SLOT_BITS;
export const GEN_MASK = 0x1ff;
/** "No id": what nextReady() returns on an empty queue. */
export const NONE = -1;
/** Error codes from spawn/sleepUntil (negative, so never confused with an id). */
export const ERR_STALE = -1;
export const ERR_DEADLINE = -2;
export const ERR_CAPACITY = -3;
/** Deadlines above this are clamped to it: the largest time a JS Date can hold. */
export const MAX_DEADLINE = 8.64e15;
/** Ids per drain()/readyBatch() call. */
export const BATCH_CAPACITY = 1024;
/** Task flags, as taskState() reports them. */
export const TASK_LIVE = 1;
export const TASK_QUEUED = 2;
/** Initial capacities; tables double as they fill. */
export const INITIAL_TASKS = 1024;
export const INITIAL_TIMERS = 1024;
export const INITIAL_READY = 1024;
