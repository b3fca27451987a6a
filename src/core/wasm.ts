// The host side of the WebAssembly core: loads build/spindle.wasm once per process and
// wraps each instance in an object with the Core interface.
//
// Each method is a one-line forward to an export; V8 inlines both the wrapper and the
// JS-to-wasm transition. The only host-side state is the two batch views, re-created when
// memory.grow has detached them (the core grows its tables by doubling, so rarely).

import { readFileSync } from "node:fs";
import { ABI_VERSION } from "./ts/constants.js";
import type { Core } from "./types.js";

// @types/node 20 has no WebAssembly typings (they live in lib.dom); this is the slice we use.
/** A compiled WebAssembly module (opaque). */
export type CoreModule = object;
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => CoreModule;
  Instance: new (module: CoreModule, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The exports of build/spindle.wasm, as docs/abi.md lists them. */
export interface CoreExports {
  memory: WasmMemory;
  abiVersion(): number;
  init(): void;
  reset(): void;
  batchCapacity(): number;
  batchOut(): number;
  batchIn(): number;
  spawn(): number;
  release(id: number): number;
  isLive(id: number): number;
  taskState(id: number): number;
  switches(id: number): number;
  wakeups(id: number): number;
  recordSwitch(id: number): number;
  taskCount(): number;
  ready(id: number): number;
  nextReady(): number;
  readyLength(): number;
  drain(max: number): number;
  readyBatch(n: number): number;
  sleepUntil(id: number, deadline: number): number;
  cancelTimer(handle: number): number;
  timerDeadline(handle: number): number;
  advance(now: number): number;
  nextDeadline(): number;
  timerCount(): number;
}

/** Where the release build lives, from src/core/ and dist/core/ alike. */
export const WASM_URL = new URL("../../build/spindle.wasm", import.meta.url);

let compiled: CoreModule | undefined;

/**
 * The compiled core module (compiled once per process, synchronously).
 *
 * @example
 * ```ts
 * const a = new WasmCore(coreModule()); // each instance has its own memory
 * ```
 */
export function coreModule(): CoreModule {
  if (compiled === undefined) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(WASM_URL);
    } catch (cause) {
      throw new Error(
        `spindle: the WebAssembly core is missing at ${WASM_URL.pathname}; ` +
          'run `npm run build:wasm` (npm install does it), or use createCore("ts")',
        { cause },
      );
    }
    compiled = new WA.Module(bytes);
  }
  return compiled;
}

/**
 * The WebAssembly core behind the Core interface: one instance, one linear memory.
 *
 * @example
 * ```ts
 * const core = new WasmCore();
 * core.exports.abiVersion(); // the raw exports, as docs/abi.md lists them
 * ```
 */
export class WasmCore implements Core {
  readonly kind = "wasm" as const;
  readonly batchCapacity: number;
  readonly exports: CoreExports;
  private out: Int32Array;
  private in: Int32Array;

  constructor(module: CoreModule = coreModule()) {
    const instance = new WA.Instance(module, {});
    const x = instance.exports as unknown as CoreExports;
    const abi = x.abiVersion();
    if (abi !== ABI_VERSION) {
      throw new Error(
        `spindle: core ABI ${abi} does not match host ABI ${ABI_VERSION}; rebuild with npm run build`,
      );
    }
    x.init();
    this.exports = x;
    this.batchCapacity = x.batchCapacity();
    const buffer = x.memory.buffer;
    this.out = new Int32Array(buffer, x.batchOut(), this.batchCapacity);
    this.in = new Int32Array(buffer, x.batchIn(), this.batchCapacity);
  }

  /** Re-creates the batch views after memory.grow detached them. */
  private refresh(): void {
    const x = this.exports;
    const buffer = x.memory.buffer;
    this.out = new Int32Array(buffer, x.batchOut(), this.batchCapacity);
    this.in = new Int32Array(buffer, x.batchIn(), this.batchCapacity);
  }

  // memory.grow detaches the old buffer, and a view of a detached buffer has length 0:
  // a cheaper test than the memory.buffer getter (a runtime call), on every tick.
  batchOut(): Int32Array {
    if (this.out.length === 0) this.refresh();
    return this.out;
  }
  batchIn(): Int32Array {
    if (this.in.length === 0) this.refresh();
    return this.in;
  }

  reset(): void {
    this.exports.reset();
  }
  spawn(): number {
    return this.exports.spawn();
  }
  release(id: number): boolean {
    return this.exports.release(id) !== 0;
  }
  isLive(id: number): boolean {
    return this.exports.isLive(id) !== 0;
  }
  taskState(id: number): number {
    return this.exports.taskState(id);
  }
  switches(id: number): number {
    return this.exports.switches(id);
  }
  wakeups(id: number): number {
    return this.exports.wakeups(id);
  }
  recordSwitch(id: number): boolean {
    return this.exports.recordSwitch(id) !== 0;
  }
  taskCount(): number {
    return this.exports.taskCount();
  }
  ready(id: number): boolean {
    return this.exports.ready(id) !== 0;
  }
  nextReady(): number {
    return this.exports.nextReady();
  }
  readyLength(): number {
    return this.exports.readyLength();
  }
  drain(max: number): number {
    return this.exports.drain(max);
  }
  readyBatch(n: number): number {
    return this.exports.readyBatch(n);
  }
  sleepUntil(id: number, deadline: number): number {
    return this.exports.sleepUntil(id, deadline);
  }
  cancelTimer(handle: number): boolean {
    return this.exports.cancelTimer(handle) !== 0;
  }
  timerDeadline(handle: number): number {
    return this.exports.timerDeadline(handle);
  }
  advance(now: number): number {
    return this.exports.advance(now);
  }
  nextDeadline(): number {
    return this.exports.nextDeadline();
  }
  timerCount(): number {
    return this.exports.timerCount();
  }
}
