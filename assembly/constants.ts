// Constants of the core's ABI.
//
// *Must* match src/core/ts/constants.ts (the TypeScript twin) and docs/abi.md.
// test/core/constants.test.ts compares the two sides against the built module.

/** Bumped whenever an export, a constant below or the memory layout changes meaning. */
export const ABI_VERSION: i32 = 2;

/**
 * An id (task or timer handle) is a non-negative i32 (the first id is 0):
 * `generation << SLOT_BITS | slot`.
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
/**
 * The largest host token. A ready-queue entry or timer target is a task id (>= 0) or a
 * host token (any i32 <= TOKEN_MAX): a number the host gives meaning to (spindle's loop
 * uses one per callLater handle), carried as is, never deduplicated or checked for life.
 */
export const TOKEN_MAX: i32 = -2;
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

/**
 * Timers the host may arm between two calls that read them (sync, advance, nextDeadline).
 * 1024 entries of 16 bytes are 16 KiB, which stays in the L1/L2 cache while the core reads
 * them; a host that fills the buffer calls sync(), so that one crossing is spread over 1024
 * arms.
 */
export const PENDING_CAPACITY: i32 = 1024;

// ── The shared memory: what the host may read and write without calling the core ─────
//
// The control block is CONTROL_WORDS i32s at the fixed address control(). Word CTL_x holds
// x. "core" words the host only reads; "both" words both sides update, never at the same
// time (the core runs only while the host waits for one of its exports to return).

/** Bumped by the core whenever a shared table moves: re-read the addresses below. */
export const CTL_EPOCH: i32 = 0;
/** Byte address of the task table (TASK_WORDS i32s per slot). core */
export const CTL_TASKS: i32 = 1;
/** Task slots ever used: slots at or above it are not live. core */
export const CTL_TASK_HIGH: i32 = 2;
/** Live tasks. core */
export const CTL_TASK_COUNT: i32 = 3;
/** Byte address of the ready ring (an i32 per entry). core */
export const CTL_RING: i32 = 4;
/** Ready-ring capacity minus one (a power of two minus one). core */
export const CTL_RING_MASK: i32 = 5;
/** Ready-queue head counter: the next entry is ring[head & mask]. both */
export const CTL_HEAD: i32 = 6;
/** Ready-queue tail counter (head and tail wrap as u32; tail - head entries). both */
export const CTL_TAIL: i32 = 7;
/** Byte address of the timer generations: an i32 per timer slot. core */
export const CTL_TIMER_GENS: i32 = 8;
/** Byte address of the timer deadlines: an f64 per timer slot. core */
export const CTL_TIMER_DEADLINES: i32 = 9;
/** Byte address of the free bitmap: bit s of i32 word s >> 5 is set while slot s is free. core */
export const CTL_TIMER_FREE: i32 = 10;
/** Byte address of the armed bitmap: bit s is set while slot s holds an armed timer. core */
export const CTL_TIMER_ARMED: i32 = 11;
/** Timer slots (a multiple of 32). core */
export const CTL_TIMER_CAP: i32 = 12;
/** The slot the host's allocator looks at first (next fit). both */
export const CTL_CURSOR: i32 = 13;
/** Free timer slots. both */
export const CTL_FREE_COUNT: i32 = 14;
/** Byte address of the pending buffer (PENDING_CAPACITY entries of 16 bytes; fixed). core */
export const CTL_PENDING: i32 = 15;
/** Entries in the pending buffer that the core has not read yet. both */
export const CTL_PENDING_LEN: i32 = 16;
/** Armed timers (timerCount). both */
export const CTL_ARMED: i32 = 17;
/** Cancelled timers the core has not collected yet. both */
export const CTL_TOMBS: i32 = 18;
/** 1 while CTL_NEXT may be below the earliest deadline; 0 while it is exact. both */
export const CTL_NEXT_DIRTY: i32 = 19;
/**
 * An f64 in words 20-21: a lower bound of the earliest armed deadline (Infinity when none
 * is armed), exact while CTL_NEXT_DIRTY is 0. Read it as f64 element CTL_NEXT >> 1. both
 */
export const CTL_NEXT: i32 = 20;
/** Words in the control block. */
export const CONTROL_WORDS: i32 = 22;

/** i32 words per task record: gen, flags, switches, wakeups (next free slot while free). */
export const TASK_WORDS: i32 = 4;
export const TASK_GEN: i32 = 0;
export const TASK_FLAGS: i32 = 1;
export const TASK_SWITCHES: i32 = 2;
export const TASK_WAKEUPS: i32 = 3;

/**
 * i32 words per pending entry (16 bytes): the deadline f64 in words 0-1 (f64 element
 * 2 * i), then the timer slot and the target.
 */
export const PENDING_WORDS: i32 = 4;
export const PENDING_SLOT: i32 = 2;
export const PENDING_TARGET: i32 = 3;
