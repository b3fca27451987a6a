// The TypeScript twin of the WebAssembly core (assembly/index.ts): the same operations with
// the same results, over typed arrays in the JS heap laid out as the wasm core's memory
// is, so the host half (src/core/port.ts) drives both alike. It exists so every benchmark
// can show what WebAssembly buys, and as the core for hosts that cannot run WebAssembly.

import { BATCH_CAPACITY } from "./constants.js";
import { Control } from "./control.js";
import { ReadyQueue } from "./ready.js";
import { TaskTable } from "./tasks.js";
import { Timers } from "./timers.js";
import { PortCore, type CoreSide, type SharedViews } from "../port.js";

/** The twin's tables, and the calls the host half makes into them. */
class Twin implements CoreSide {
  readonly control = new Control();
  readonly tasks = new TaskTable(this.control);
  readonly queue = new ReadyQueue(this.tasks, this.control);
  readonly timers = new Timers(this.control, this.queue);

  views(): SharedViews {
    const t = this.timers;
    return {
      ctl: this.control.words,
      ctlF64: this.control.f64,
      tasks: this.tasks.words,
      ring: this.queue.ring,
      gens: t.gens,
      deadlines: t.deadlines,
      freeBits: t.freeBits,
      armedBits: t.armedBits,
      pending: t.pending,
      pendingF64: t.pendingF64,
    };
  }
  sync(): void {
    this.timers.sync();
  }
  readyGrow(entry: number): boolean {
    return this.queue.push(entry);
  }
  recompute(): number {
    return this.timers.nextDeadline();
  }
  fire(now: number): number {
    return this.timers.advance(now);
  }
}

/**
 * The TypeScript twin of the WebAssembly core.
 *
 * @example
 * ```ts
 * const core = new TsCore();
 * core.sleepUntil(core.spawn(), 5);
 * core.nextDeadline(); // 5
 * ```
 */
export class TsCore extends PortCore {
  private readonly twin: Twin;
  private readonly out = new Int32Array(BATCH_CAPACITY);
  private readonly in = new Int32Array(BATCH_CAPACITY);

  constructor() {
    const twin = new Twin();
    super("ts", twin);
    this.twin = twin;
  }

  spawn(): number {
    return this.twin.tasks.spawn();
  }
  reset(): void {
    const t = this.twin;
    t.timers.reset();
    t.queue.reset();
    t.tasks.reset();
  }
  release(id: number): boolean {
    return this.twin.tasks.release(id);
  }

  drain(max: number): number {
    if (max > BATCH_CAPACITY) max = BATCH_CAPACITY;
    const q = this.twin.queue;
    const length = q.length;
    if (max > length) max = length;
    return max > 0 ? q.drainInto(this.out, max) : 0;
  }
  readyBatch(n: number): number {
    if (n > BATCH_CAPACITY) n = BATCH_CAPACITY;
    const inb = this.in;
    const q = this.twin.queue;
    let queued = 0;
    for (let i = 0; i < n; i++) if (q.push(inb[i]!)) queued++;
    return queued;
  }
  batchOut(): Int32Array {
    return this.out;
  }
  batchIn(): Int32Array {
    return this.in;
  }
}
