// The constants the runner (a worker thread) and the main thread share: slot states and
// outcome tags. In a file of their own, free of imports, so the main thread's modules
// (slots.ts, protocol.ts) take them without loading the runner, which imports
// node:worker_threads — a browser bundle of the root entry must not reach that.

// Slot states (slots.ts imports them from here).
export const FREE = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const CANCELLED = 3;
export const ABORTED = 4;
export const DONE = 5;

// Outcome tags (protocol.ts imports them from here).
export const OK = 0;
export const FAILED = 1;
export const SKIPPED = 2;
/** How a load failure says "this is the module or the export spindle could not find". */
export const MISSING_MODULE = "spindle:missing-module";
export const MISSING_EXPORT = "spindle:missing-export";
