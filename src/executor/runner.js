// @ts-check
// The worker-side runner: the one function piscina calls on a worker thread for every job of
// a spindle executor. It loads the job's module, calls the named export with the job's
// arguments, and sends back what happened — a value, a serialized error, or "skipped".
//
// WHY JavaScript. piscina loads this file in a fresh worker thread with Node's own loader.
// When spindle runs from its TypeScript sources (vitest), that thread has no TypeScript
// loader, so the runner is plain JavaScript (type-checked through JSDoc and @ts-check);
// tsc copies it to dist/ (allowJs). It imports nothing of spindle for the same reason.
//
// HOW a job is cancelled. The pool shares one Int32Array of job states with every worker
// (a growable SharedArrayBuffer handed over once, as piscina's workerData). The main thread
// gives a job a slot when piscina dispatches it to a worker; the slot's state moves:
//
//   main, at dispatch   FREE ──▶ QUEUED
//   runner, at start    QUEUED ──▶ RUNNING          (compareExchange)
//   main, on cancel     QUEUED ──▶ CANCELLED        (the runner then skips the job)
//                       RUNNING ──▶ ABORTED + notify (the job's signal aborts)
//   runner, at end      RUNNING ──▶ DONE
//   main, on settle     any ──▶ FREE                (the slot is reused)
//
// A job's code reads its AbortSignal through jobSignal() (spindle/worker). The signal is
// made on first use. A job blocked in CPU-bound code never returns to its thread's event
// loop, so no 'abort' event could reach it: reading `signal.aborted` (or `reason`, or
// calling `throwIfAborted()`) therefore looks at the shared state first, synchronously.
// A job that awaits gets the 'abort' event as well: Atomics.waitAsync wakes the worker's
// event loop when the main thread notifies the slot.
//
// Errors do not cross threads well through structured clone (a class's name and own
// properties are lost), so the runner catches them and sends a plain description (name,
// message, stack, code and other cloneable own properties, cause), which the main thread
// turns back into an Error.

import { workerData } from "node:worker_threads";

// The shared constants live in states.js (re-exported here: the tests import them from here).
import {
  ABORTED,
  DONE,
  FAILED,
  MISSING_EXPORT,
  MISSING_MODULE,
  OK,
  QUEUED,
  RUNNING,
  SKIPPED,
} from "./states.js";

export * from "./states.js";

/** The brand of a transfer(value, list) marker. *Must* match src/executor/transfer.ts. */
const TRANSFER = Symbol.for("spindle.executor.transfer");
/** Where the job running on this thread is published for jobSignal(). *Must* match src/executor/worker.ts. */
const CURRENT = Symbol.for("spindle.executor.currentJob");

/**
 * The pool's shared job states (see the header). Empty outside a pool's thread: tests
 * import this module on the main thread for its constants.
 */
const states = new Int32Array(
  /** @type {{ states?: SharedArrayBuffer } | null} */ (workerData)?.states ??
    new SharedArrayBuffer(0),
);

/**
 * @typedef {object} Payload what the main thread sends for one job (src/executor/protocol.ts)
 * @property {string} u the module's URL
 * @property {string} n the export's name
 * @property {unknown[]} a the arguments
 * @property {number} s the job's slot in `states`
 */

/** Export functions by module URL, then by name. @type {Map<string, Map<string, Function>>} */
const functions = new Map();
/** Modules being imported. @type {Map<string, Promise<Record<string, unknown>>>} */
const loading = new Map();

/**
 * Runs one job. Never throws: every outcome, failures included, is a value.
 *
 * @param {Payload} job
 * @returns {Promise<unknown>}
 */
export default async function run(job) {
  const slot = job.s;
  if (Atomics.compareExchange(states, slot, QUEUED, RUNNING) !== QUEUED) return [SKIPPED];
  const current = new CurrentJob(slot);
  const g = /** @type {Record<symbol, unknown>} */ (globalThis);
  g[CURRENT] = current;
  try {
    const fn = functions.get(job.u)?.get(job.n) ?? (await load(job.u, job.n));
    let value = fn(...job.a);
    if (value !== null && typeof value === "object" && typeof value.then === "function")
      value = await value;
    return await outcome(value);
  } catch (error) {
    return [FAILED, describeError(error, 0)];
  } finally {
    g[CURRENT] = undefined;
    current.end();
  }
}

/**
 * The export `name` of module `url`, imported on first use; throws a described error when the
 * module or the export is missing.
 *
 * @param {string} url
 * @param {string} name
 * @returns {Promise<Function>}
 */
async function load(url, name) {
  let pending = loading.get(url);
  if (pending === undefined) {
    pending = import(url);
    loading.set(url, pending);
  }
  /** @type {Record<string, unknown>} */
  let ns;
  try {
    ns = await pending;
  } catch (error) {
    loading.delete(url); // not cached: the file may exist by the next job
    const code = /** @type {{ code?: unknown }} */ (error)?.code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      throw new LoadFailure(MISSING_MODULE, url, name, error);
    throw error; // the module's own error (a SyntaxError, a throw at top level): as is
  }
  const fn = ns[name];
  if (typeof fn !== "function") {
    const exported = Object.keys(ns).filter((k) => typeof ns[k] === "function");
    throw new LoadFailure(MISSING_EXPORT, url, name, undefined, exported, typeof fn);
  }
  let byName = functions.get(url);
  if (byName === undefined) functions.set(url, (byName = new Map()));
  byName.set(name, fn);
  return fn;
}

/** A module or export spindle could not find; the main thread raises its typed error. */
class LoadFailure extends Error {
  /**
   * @param {string} kind MISSING_MODULE or MISSING_EXPORT
   * @param {string} url
   * @param {string} exportName
   * @param {unknown} cause
   * @param {string[]} [exported] the module's function exports (MISSING_EXPORT)
   * @param {string} [found] typeof what the module exports under that name
   */
  constructor(kind, url, exportName, cause, exported, found) {
    super(/** @type {{ message?: string }} */ (cause)?.message ?? kind, { cause });
    this.name = kind;
    this.url = url;
    this.exportName = exportName;
    this.exported = exported;
    this.found = found;
  }
}

/** Piscina.move(), imported when a job first transfers its result. @type {((v: any) => unknown) | null} */
let move = null;

/**
 * What the job returned, as the message to send: transfer(value, list) moves `list`.
 *
 * @param {unknown} value
 * @returns {Promise<unknown>}
 */
async function outcome(value) {
  if (typeof value === "function" || typeof value === "symbol")
    // Caught here with a clear message; a function deeper inside the result is caught by
    // postMessage, which costs the thread (see thread-pool.ts).
    throw new TypeError(
      `the job returned a ${typeof value}, which cannot be sent back to the main thread`,
    );
  if (value === null || typeof value !== "object" || !(TRANSFER in value))
    return [OK, /** @type {unknown} */ (value)];
  const marked = /** @type {{ value: unknown, list: unknown[] }} */ (
    /** @type {unknown} */ (value)
  );
  if (move === null) move = (await import("piscina")).move;
  // piscina posts a moved value's kValue with its kTransferable as the transfer list.
  return /** @type {(v: any) => unknown} */ (move)({
    [Symbol.for("Piscina.transferable")]: marked.list,
    [Symbol.for("Piscina.valueOf")]: [OK, marked.value],
  });
}

/** Causes followed at most this deep: a cycle of causes must not loop forever. */
const MAX_CAUSE_DEPTH = 8;

/**
 * A thrown value as a plain, cloneable description (src/executor/protocol.ts reads it).
 *
 * @param {unknown} error
 * @param {number} depth
 * @returns {object}
 */
function describeError(error, depth) {
  if (!(error instanceof Error)) {
    // A thrown non-Error (a string, a number, a plain object) goes back as itself if it can.
    return cloneable(error) ? { thrown: error } : { thrown: String(error) };
  }
  /** @type {Record<string, unknown>} */
  const props = {};
  for (const key of Object.keys(error)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
    const v = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (error))[key];
    if (cloneable(v)) props[key] = v;
  }
  const cause =
    "cause" in error && depth < MAX_CAUSE_DEPTH ? describeError(error.cause, depth + 1) : undefined;
  return {
    name: String(error.name),
    message: String(error.message),
    stack: typeof error.stack === "string" ? error.stack : undefined,
    props,
    cause,
  };
}

/** @param {unknown} v */
function cloneable(v) {
  const t = typeof v;
  if (v === null || t === "string" || t === "number" || t === "boolean" || t === "undefined")
    return true;
  if (t === "function" || t === "symbol") return false;
  try {
    structuredClone(v);
    return true;
  } catch {
    return false;
  }
}

/** The reason a cancelled job's signal carries. */
function abortReason() {
  return new DOMException("spindle: the task waiting for this job was cancelled", "AbortError");
}

const abortedGetter = /** @type {() => boolean} */ (
  Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted")?.get
);
const reasonGetter = /** @type {() => unknown} */ (
  Object.getOwnPropertyDescriptor(AbortSignal.prototype, "reason")?.get
);
const throwIfAborted = AbortSignal.prototype.throwIfAborted;

/**
 * @typedef {(a: Int32Array, index: number, value: number) =>
 *   { async: false, value: string } | { async: true, value: Promise<string> }} WaitAsync
 */

/** The job running on this thread: its slot, and its signal once asked for. */
class CurrentJob {
  /** @param {number} slot */
  constructor(slot) {
    this.slot = slot;
    this.running = true;
    /** @type {AbortController | null} */
    this.controller = null;
    this.waiting = false;
  }

  /** The job's AbortSignal (made on first use; see the header). */
  signal() {
    if (this.controller !== null) return this.controller.signal;
    const controller = new AbortController();
    this.controller = controller;
    const signal = controller.signal;
    // Reading the signal looks at the shared state first: CPU-bound code sees a cancel
    // without its thread's event loop ever running.
    const poll = () => this.poll();
    Object.defineProperties(signal, {
      aborted: { get: () => (poll(), abortedGetter.call(signal)) },
      reason: { get: () => (poll(), reasonGetter.call(signal)) },
      throwIfAborted: { value: () => (poll(), throwIfAborted.call(signal)) },
    });
    if (!this.poll()) {
      // Async code gets the 'abort' event: wake this thread's loop when the main thread
      // notifies the slot (it does, right after marking the job ABORTED).
      // Atomics.waitAsync: ES2024, in Node since 16 (lib ES2022 does not declare it).
      const w = /** @type {{ waitAsync: WaitAsync }} */ (
        /** @type {unknown} */ (Atomics)
      ).waitAsync(states, this.slot, RUNNING);
      if (w.async) {
        this.waiting = true;
        void w.value.then(() => this.poll());
      } else this.poll();
    }
    return signal;
  }

  /** Aborts the signal if the main thread asked; true once aborted. */
  poll() {
    const c = this.controller;
    if (c === null) return false;
    if (abortedGetter.call(c.signal)) return true;
    if (!this.running || Atomics.load(states, this.slot) !== ABORTED) return false;
    c.abort(abortReason());
    return true;
  }

  /** The job returned or threw: mark it DONE and wake a pending waitAsync (so none leaks). */
  end() {
    this.running = false;
    Atomics.compareExchange(states, this.slot, RUNNING, DONE);
    if (this.waiting) Atomics.notify(states, this.slot);
  }
}
