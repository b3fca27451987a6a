// transfer(value, list): marks a value whose buffers move to the other thread instead of
// being copied — an argument on its way to a job, or a job's result on its way back. The
// marker is recognised by a registered symbol, not by its class, so a marker made by one
// copy of spindle (a job module importing "spindle/worker" from dist/) is understood by
// another (the runner, when spindle runs from its sources).

/** The brand. *Must* match src/executor/runner.js. */
export const TRANSFER: unique symbol = Symbol.for("spindle.executor.transfer") as never;

/**
 * What can be moved to another thread: an ArrayBuffer, a MessagePort, or another of
 * node:worker_threads' transferable objects (typed as `object`: spindle/worker, which
 * exports transfer() to job modules, stays free of node: imports).
 */
export type TransferItem = ArrayBuffer | object;

/**
 * A value marked by transfer(): `value` is sent with `list` moved, not copied.
 *
 * @example
 * ```ts
 * const t = transfer(new Float64Array(1024));
 * t.value; // the array; t.list: [its buffer]
 * ```
 */
export class Transfer<T> {
  readonly [TRANSFER] = true;
  constructor(
    /** The value sent. */
    readonly value: T,
    /** What moves with it (ArrayBuffers, MessagePorts). */
    readonly list: readonly TransferItem[],
  ) {}
}

/**
 * Sends `value` to (or back from) a worker thread by moving `list` instead of copying it.
 * With no list, `value` itself moves if it is an ArrayBuffer, or its buffer if it is a typed
 * array or a DataView. A moved ArrayBuffer is detached on the sending side: its byteLength
 * becomes 0, and the receiving thread owns the memory.
 *
 * On the main thread, mark arguments: the buffers are detached at once, when runInExecutor
 * is called. In a job, mark the result: `return transfer(result)`.
 *
 * @example
 * ```ts
 * const pixels = new Uint8Array(4 << 20);
 * const out = yield* runInExecutor(JOBS, "blur", transfer(pixels)); // pixels.byteLength: 0
 * // in the job module: export function blur(p) { ...; return transfer(p); }
 * ```
 */
export function transfer<T>(value: T, list?: readonly TransferItem[]): Transfer<T> {
  if (list !== undefined) {
    if (!Array.isArray(list))
      throw new TypeError(
        `spindle: transfer(value, list) needs an array of ArrayBuffers or MessagePorts`,
      );
    return new Transfer(value, list);
  }
  if (value instanceof ArrayBuffer) return new Transfer(value, [value]);
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    if (!(buffer instanceof ArrayBuffer))
      throw new TypeError(
        "spindle: transfer() of a view on a SharedArrayBuffer: shared memory is already shared, pass it as is",
      );
    return new Transfer(value, [buffer]);
  }
  throw new TypeError(
    "spindle: transfer(value) without a list needs an ArrayBuffer, a typed array or a DataView; " +
      "for other values, name what moves: transfer(value, [buffer, ...])",
  );
}

/** Is `v` a transfer() marker (from any copy of spindle)? */
export function isTransfer(v: unknown): v is Transfer<unknown> {
  return typeof v === "object" && v !== null && (v as { [TRANSFER]?: unknown })[TRANSFER] === true;
}
