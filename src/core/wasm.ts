// The host side of the WebAssembly core: wraps each instance of the compiled core (load.ts)
// in an object with the Core interface.
//
// The per-operation methods (ready, nextReady, arm, disarm, the counters) are answered by
// the host half (port.ts) from views of the instance's memory; the others are one-line
// forwards to an export, which V8 inlines with the JS-to-wasm transition. Views are
// re-created when memory.grow has detached them (the core grows its tables by doubling,
// so rarely).

import {
  ABI_VERSION,
  BATCH_CAPACITY,
  CONTROL_WORDS,
  CTL_PENDING,
  CTL_RING,
  CTL_RING_MASK,
  CTL_TASKS,
  CTL_TIMER_ARMED,
  CTL_TIMER_CAP,
  CTL_TIMER_DEADLINES,
  CTL_TIMER_FREE,
  CTL_TIMER_GENS,
  PENDING_CAPACITY,
  PENDING_WORDS,
} from "./ts/constants.js";
import { PortCore, type CoreSide, type SharedViews } from "./port.js";
import { WA, coreModule, type CoreModule } from "./load.js";

interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The exports of build/spindle.wasm, as docs/abi.md lists them. */
export interface CoreExports {
  memory: WasmMemory;
  abiVersion(): number;
  init(): void;
  reset(): void;
  control(): number;
  batchCapacity(): number;
  batchOut(): number;
  batchIn(): number;
  batchDeadlines(): number;
  spawn(): number;
  release(id: number): number;
  isLive(id: number): number;
  taskState(id: number): number;
  switches(id: number): number;
  wakeups(id: number): number;
  recordSwitch(id: number): number;
  taskCount(): number;
  ready(entry: number): number;
  nextReady(): number;
  readyLength(): number;
  drain(max: number): number;
  readyBatch(n: number): number;
  arm(target: number, deadline: number): number;
  disarm(handle: number): number;
  sleepUntil(id: number, deadline: number): number;
  sync(): void;
  armBatch(n: number): number;
  disarmBatch(n: number): number;
  timerDeadline(handle: number): number;
  advance(now: number): number;
  nextDeadline(): number;
  timerCount(): number;
}

/**
 * Where the release build lives, from src/core/ and dist/core/ alike (spindle itself does
 * not read it: the bytes are embedded; see load.ts). Give it to initCore() to load the file.
 *
 * @example
 * ```ts
 * await initCore(WASM_URL); // the same core, read from the file
 * ```
 */
export const WASM_URL = new URL("../../build/spindle.wasm", import.meta.url);

/** The calls the host half (port.ts) makes into an instance, and its views of memory. */
class WasmSide implements CoreSide {
  constructor(private readonly x: CoreExports) {}

  views(): SharedViews {
    const x = this.x;
    const buffer = x.memory.buffer;
    const at = x.control();
    const ctl = new Int32Array(buffer, at, CONTROL_WORDS);
    const cap = ctl[CTL_TIMER_CAP]!;
    const pending = ctl[CTL_PENDING]!;
    return {
      ctl,
      ctlF64: new Float64Array(buffer, at, CONTROL_WORDS >> 1),
      // To the end of memory: the host bounds task slots by CTL_TASK_HIGH.
      tasks: new Int32Array(buffer, ctl[CTL_TASKS]!),
      ring: new Int32Array(buffer, ctl[CTL_RING]!, ctl[CTL_RING_MASK]! + 1),
      gens: new Int32Array(buffer, ctl[CTL_TIMER_GENS]!, cap),
      deadlines: new Float64Array(buffer, ctl[CTL_TIMER_DEADLINES]!, cap),
      freeBits: new Int32Array(buffer, ctl[CTL_TIMER_FREE]!, cap >> 5),
      armedBits: new Int32Array(buffer, ctl[CTL_TIMER_ARMED]!, cap >> 5),
      pending: new Int32Array(buffer, pending, PENDING_CAPACITY * PENDING_WORDS),
      pendingF64: new Float64Array(buffer, pending, (PENDING_CAPACITY * PENDING_WORDS) >> 1),
    };
  }
  sync(): void {
    this.x.sync();
  }
  readyGrow(entry: number): boolean {
    return this.x.ready(entry) !== 0;
  }
  recompute(): number {
    return this.x.nextDeadline();
  }
  fire(now: number): number {
    return this.x.advance(now);
  }
}

/**
 * The WebAssembly core behind the Core interface: one instance, one linear memory. The
 * per-operation methods work on its memory from here (port.ts); the rest call its exports.
 *
 * @example
 * ```ts
 * const core = new WasmCore();
 * core.exports.abiVersion(); // the raw exports, as docs/abi.md lists them
 * ```
 */
export class WasmCore extends PortCore {
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
    super("wasm", new WasmSide(x));
    this.exports = x;
    const buffer = x.memory.buffer;
    this.out = new Int32Array(buffer, x.batchOut(), BATCH_CAPACITY);
    this.in = new Int32Array(buffer, x.batchIn(), BATCH_CAPACITY);
  }

  /** Re-creates the batch views after memory.grow detached them. */
  private refresh(): void {
    const x = this.exports;
    const buffer = x.memory.buffer;
    this.out = new Int32Array(buffer, x.batchOut(), BATCH_CAPACITY);
    this.in = new Int32Array(buffer, x.batchIn(), BATCH_CAPACITY);
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
  drain(max: number): number {
    return this.exports.drain(max);
  }
  readyBatch(n: number): number {
    return this.exports.readyBatch(n);
  }
}
