// The TypeScript twin of the WebAssembly core (assembly/index.ts): the same operations with
// the same results, over typed arrays in the JS heap. It exists so every benchmark can show
// what WebAssembly buys, and as the core for hosts that cannot run WebAssembly.

import { BATCH_CAPACITY, SLOT_MASK } from "./constants.js";
import { ReadyQueue } from "./ready.js";
import { TaskTable } from "./tasks.js";
import { TimerHeap } from "./timers.js";
import type { Core } from "../types.js";

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
export class TsCore implements Core {
  readonly kind = "ts" as const;
  readonly batchCapacity = BATCH_CAPACITY;
  private readonly tasks = new TaskTable();
  private readonly queue = new ReadyQueue(this.tasks);
  private readonly timers = new TimerHeap(this.tasks, this.queue);
  private readonly out = new Int32Array(BATCH_CAPACITY);
  private readonly in = new Int32Array(BATCH_CAPACITY);

  spawn(): number {
    return this.tasks.spawn();
  }
  reset(): void {
    this.timers.reset();
    this.queue.reset();
    this.tasks.reset();
  }
  release(id: number): boolean {
    return this.tasks.release(id);
  }
  isLive(id: number): boolean {
    return this.tasks.liveSlot(id) >= 0;
  }
  taskState(id: number): number {
    const slot = this.tasks.liveSlot(id);
    return slot < 0 ? 0 : this.tasks.flags[slot]!;
  }
  switches(id: number): number {
    const slot = this.tasks.liveSlot(id);
    return slot < 0 ? -1 : this.tasks.switches[slot]!;
  }
  wakeups(id: number): number {
    const slot = this.tasks.liveSlot(id);
    return slot < 0 ? -1 : this.tasks.wakeups[slot]!;
  }
  recordSwitch(id: number): boolean {
    const slot = this.tasks.liveSlot(id);
    if (slot < 0) return false;
    this.tasks.switches[slot]!++;
    return true;
  }
  taskCount(): number {
    return this.tasks.live;
  }

  ready(id: number): boolean {
    return this.queue.push(id);
  }
  nextReady(): number {
    return this.queue.pop();
  }
  readyLength(): number {
    return this.queue.length;
  }

  drain(max: number): number {
    if (max > BATCH_CAPACITY) max = BATCH_CAPACITY;
    const q = this.queue;
    const before = q.length;
    if (max > before) max = before;
    const t = this.tasks;
    const out = this.out;
    let n = 0;
    // Mirrors the wasm drain: one entry per step, stale or not (pop() would skip past max).
    for (let i = 0; i < max; i++) {
      const id = q.shift();
      if (id < 0) continue;
      t.switches[id & SLOT_MASK]!++;
      out[n++] = id;
    }
    return n;
  }
  readyBatch(n: number): number {
    if (n > BATCH_CAPACITY) n = BATCH_CAPACITY;
    const inb = this.in;
    let queued = 0;
    for (let i = 0; i < n; i++) if (this.queue.push(inb[i]!)) queued++;
    return queued;
  }
  batchOut(): Int32Array {
    return this.out;
  }
  batchIn(): Int32Array {
    return this.in;
  }

  sleepUntil(id: number, deadline: number): number {
    return this.timers.sleepUntil(id, deadline);
  }
  cancelTimer(handle: number): boolean {
    return this.timers.cancel(handle);
  }
  timerDeadline(handle: number): number {
    return this.timers.deadlineOf(handle);
  }
  advance(now: number): number {
    return this.timers.advance(now);
  }
  nextDeadline(): number {
    return this.timers.nextDeadline();
  }
  timerCount(): number {
    return this.timers.length;
  }
}
