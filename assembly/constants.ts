// Constants of the core's ABI.
//
// *Must* match src/core/ts/constants.ts (the TypeScript twin) and docs/abi.md.
// test/core/constants.test.ts compares the two sides against the built module.

/** Bumped whenever an export, a constant below or the memory layout changes meaning. */
export const ABI_VERSION: i32 = 1;

/**
 * An id (task or timer handle) is a positive i32: `generation << SLOT_BITS | slot`.
 *
 *   bit 31   30 ........ 22   21 ..................... 0
 *   [ 0 ] [ generation (9) ] [        slot (22)        ]
 *
 * 22 slot bits allow 4,194,304 live tasks (and as many armed timers) — four times the
 * million the project promises. The remaining 9 bits count generations; bit 31 stays clear
 * so an id is never negative (-1 means "none") and always fits a V8 small integer.
 */
export const SLOT_BITS: i32 = 22;
export const SLOT_MASK: i32 = (1 << SLOT_BITS) - 1;
export const MAX_SLOTS: i32 = 1 << SLOT_BITS;
export const GEN_MASK: u32 = 0x1ff;

/** "No id": what nextReady() returns on an empty queue. */
export const NONE: i32 = -1;
/** sleepUntil/spawn error codes (negative, so never confused with an id). */
export const ERR_STALE: i32 = -1;
export const ERR_DEADLINE: i32 = -2;
export const ERR_CAPACITY: i32 = -3;

/**
 * Deadlines above this are clamped to it, on purpose: 8.64e15 ms is the largest time a JS
 * Date can hold (about 275,000 years), so a clamped timer is, for every caller, "never".
 */
export const MAX_DEADLINE: f64 = 8.64e15;

/** Ids per drain()/readyBatch() call; the size of each batch buffer in i32s. */
export const BATCH_CAPACITY: i32 = 1024;

/** Task flags. */
export const TASK_LIVE: u32 = 1;
export const TASK_QUEUED: u32 = 2;

/** Initial capacities (records). Arbitrary powers of two; tables double as they fill. */
export const INITIAL_TASKS: i32 = 1024;
export const INITIAL_TIMERS: i32 = 1024;
export const INITIAL_READY: i32 = 1024;
