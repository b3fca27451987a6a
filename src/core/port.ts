// The host's half of the core: every operation on one task, one queue entry or one timer,
// done by reading and writing the core's shared tables directly, without a call into it.
// Both cores use it — the WebAssembly core's tables are regions of its linear memory, the
// TypeScript twin's are typed arrays in the same layout — so the per-operation API costs
// the same on both and the boundary is crossed only for work that is worth a crossing:
// growing a table, taking in the pending arms, firing timers, batches.
//
//   host (this file)                          core (assembly/*.ts | src/core/ts/*.ts)
//   ──────────────────────────────────────    ─────────────────────────────────────────
//   ready(id): flags, wakeups, ring[tail++]   drain / readyBatch: whole batches
//   nextReady(): ring[head++], flags          a push into a full ring: grows it
//   arm(target, d): next free bit → armed     sync(): files pending timers into the
//     bit, gen + 1, pending[len++] =          wheel or the heap, frees tombstones, grows
//     (d, slot, target), CTL_NEXT = min       the timer table
//   disarm(h): gen matches → clear armed bit  advance(now): fires due timers in order
//   nextDeadline(): CTL_NEXT if not dirty     nextDeadline(): recomputes CTL_NEXT
//
// Views. The host keeps typed-array views of the control block and the shared tables and
// checks, before each operation, that the control block's epoch is the one it made them at:
// the core bumps it when it moves a table, and memory.grow detaches every view (a detached
// view reads undefined, which is never the epoch). Then it re-creates them (refresh).
//
// Every rule the core follows for these tables (assembly/timers.ts, ready.ts, tasks.ts)
// holds here too; test/core/property.test.ts drives both cores through this file against a
// reference model.

import type { Core, CoreKind } from "./types.js";
import {
  BATCH_CAPACITY,
  CTL_ARMED,
  CTL_CURSOR,
  CTL_EPOCH,
  CTL_FREE_COUNT,
  CTL_HEAD,
  CTL_NEXT,
  CTL_NEXT_DIRTY,
  CTL_PENDING_LEN,
  CTL_RING_MASK,
  CTL_TAIL,
  CTL_TASK_COUNT,
  CTL_TASK_HIGH,
  CTL_TIMER_CAP,
  CTL_TOMBS,
  ERR_CAPACITY,
  ERR_DEADLINE,
  ERR_STALE,
  GEN_MASK,
  MAX_DEADLINE,
  NONE,
  PENDING_CAPACITY,
  PENDING_SLOT,
  PENDING_TARGET,
  PENDING_WORDS,
  SLOT_BITS,
  SLOT_MASK,
  TASK_FLAGS,
  TASK_GEN,
  TASK_LIVE,
  TASK_QUEUED,
  TASK_SWITCHES,
  TASK_WAKEUPS,
  TASK_WORDS,
} from "./ts/constants.js";

const NEXT_F64 = CTL_NEXT >> 1;

/** Views of the shared tables, each starting at its table's first record. */
export interface SharedViews {
  /** The control block. */
  ctl: Int32Array;
  /** The control block as f64s (CTL_NEXT is element CTL_NEXT >> 1). */
  ctlF64: Float64Array;
  /** The task table: TASK_WORDS words per slot. */
  tasks: Int32Array;
  /** The ready ring: CTL_RING_MASK + 1 entries. */
  ring: Int32Array;
  /** Timer generations: one per slot. */
  gens: Int32Array;
  /** Timer deadlines: one per slot. */
  deadlines: Float64Array;
  /** The free bitmap: bit s of word s >> 5 is set while slot s is free. */
  freeBits: Int32Array;
  /** The armed bitmap: bit s of word s >> 5 is set while slot s holds an armed timer. */
  armedBits: Int32Array;
  /** The pending buffer: PENDING_CAPACITY entries of PENDING_WORDS words. */
  pending: Int32Array;
  /** The pending buffer as f64s: entry i's deadline is element i * 2. */
  pendingF64: Float64Array;
}

/** What the host calls the core for: the operations that cross. */
export interface CoreSide {
  /** Fresh views of the shared tables (after a move or memory.grow). */
  views(): SharedViews;
  /** Takes in the pending arms, collects tombstones, makes room in the timer table. */
  sync(): void;
  /** Enqueues an entry as ready() does, growing the ring (the host found it full). */
  readyGrow(entry: number): boolean;
  /** Recomputes the earliest deadline exactly (CTL_NEXT was dirty). */
  recompute(): number;
  /** Fires the timers due at `now`. */
  fire(now: number): number;
}

/**
 * The per-operation half of a core, over shared tables.
 *
 * @example
 * ```ts
 * // Both cores hold one; Core methods forward to it:
 * const core = createCore("wasm");
 * const h = core.arm(core.spawn(), 10); // written into the core's memory, no call
 * ```
 */
export class Port {
  private ctl!: Int32Array;
  private ctlF64!: Float64Array;
  private tasks!: Int32Array;
  private ring!: Int32Array;
  private gens!: Int32Array;
  private deadlines!: Float64Array;
  private freeBits!: Int32Array;
  private armedBits!: Int32Array;
  private pending!: Int32Array;
  private pendingF64!: Float64Array;
  private epoch = -1;

  constructor(private readonly side: CoreSide) {
    this.refresh();
  }

  /** Re-creates the views (the epoch moved, or memory.grow detached them). */
  private refresh(): void {
    const v = this.side.views();
    this.ctl = v.ctl;
    this.ctlF64 = v.ctlF64;
    this.tasks = v.tasks;
    this.ring = v.ring;
    this.gens = v.gens;
    this.deadlines = v.deadlines;
    this.freeBits = v.freeBits;
    this.armedBits = v.armedBits;
    this.pending = v.pending;
    this.pendingF64 = v.pendingF64;
    this.epoch = v.ctl[CTL_EPOCH]!;
  }

  /** Makes sure the views are current; call before touching them. */
  private check(): void {
    if (this.ctl[CTL_EPOCH] !== this.epoch) this.refresh();
  }

  /** The word index of a live task's record, or -1 (views must be current). */
  private record(id: number): number {
    if (id < 0) return -1;
    const slot = id & SLOT_MASK;
    if (slot >= this.ctl[CTL_TASK_HIGH]!) return -1;
    const r = slot * TASK_WORDS;
    const t = this.tasks;
    if ((t[r + TASK_FLAGS]! & TASK_LIVE) === 0) return -1;
    if (t[r + TASK_GEN] !== id >>> SLOT_BITS) return -1;
    return r;
  }

  // ── tasks ──────────────────────────────────────────────────────────────────────────

  isLive(id: number): boolean {
    this.check();
    return this.record(id) >= 0;
  }
  taskState(id: number): number {
    this.check();
    const r = this.record(id);
    return r < 0 ? 0 : this.tasks[r + TASK_FLAGS]!;
  }
  switches(id: number): number {
    this.check();
    const r = this.record(id);
    return r < 0 ? -1 : this.tasks[r + TASK_SWITCHES]!;
  }
  wakeups(id: number): number {
    this.check();
    const r = this.record(id);
    return r < 0 ? -1 : this.tasks[r + TASK_WAKEUPS]!;
  }
  recordSwitch(id: number): boolean {
    this.check();
    const r = this.record(id);
    if (r < 0) return false;
    this.tasks[r + TASK_SWITCHES]!++;
    return true;
  }
  taskCount(): number {
    this.check();
    return this.ctl[CTL_TASK_COUNT]!;
  }

  // ── the ready queue ────────────────────────────────────────────────────────────────

  ready(id: number): boolean {
    this.check();
    const c = this.ctl;
    const tail = c[CTL_TAIL]!;
    const mask = c[CTL_RING_MASK]!;
    if (id < 0) {
      // NONE is not a token; nor is a number an i32 store would wrap into another entry.
      if (id === NONE || (id | 0) !== id) return false;
    } else {
      const r = this.record(id);
      if (r < 0) return false;
      const t = this.tasks;
      const flags = t[r + TASK_FLAGS]!;
      if (flags & TASK_QUEUED) return false;
      if (((tail - c[CTL_HEAD]!) | 0) > mask) return this.side.readyGrow(id);
      t[r + TASK_FLAGS] = flags | TASK_QUEUED;
      t[r + TASK_WAKEUPS]!++;
      this.ring[tail & mask] = id;
      c[CTL_TAIL] = tail + 1;
      return true;
    }
    // A token: no flags, no dedup.
    if (((tail - c[CTL_HEAD]!) | 0) > mask) return this.side.readyGrow(id);
    this.ring[tail & mask] = id;
    c[CTL_TAIL] = tail + 1;
    return true;
  }

  nextReady(): number {
    this.check();
    const c = this.ctl;
    const tail = c[CTL_TAIL]!;
    const mask = c[CTL_RING_MASK]!;
    const ring = this.ring;
    let head = c[CTL_HEAD]!;
    while (head !== tail) {
      const id = ring[head & mask]!;
      head = (head + 1) | 0;
      if (id < 0) {
        c[CTL_HEAD] = head;
        return id;
      }
      const r = this.record(id);
      if (r >= 0) {
        this.tasks[r + TASK_FLAGS]! &= ~TASK_QUEUED;
        c[CTL_HEAD] = head;
        return id;
      }
    }
    c[CTL_HEAD] = head;
    return NONE;
  }

  readyLength(): number {
    this.check();
    return (this.ctl[CTL_TAIL]! - this.ctl[CTL_HEAD]!) | 0;
  }

  // ── timers ─────────────────────────────────────────────────────────────────────────

  arm(target: number, deadline: number): number {
    this.check();
    return this.armChecked(target, deadline);
  }

  sleepUntil(id: number, deadline: number): number {
    this.check();
    return this.record(id) < 0 ? ERR_STALE : this.armChecked(id, deadline);
  }

  /** arm(), the views checked. */
  private armChecked(target: number, deadline: number): number {
    // NONE is no target; nor is a number an i32 store would wrap into another one.
    if (target === NONE || (target | 0) !== target) return ERR_STALE;
    if (!(deadline <= MAX_DEADLINE)) {
      if (deadline !== deadline) return ERR_DEADLINE;
      deadline = MAX_DEADLINE;
    }
    let c = this.ctl;
    if (c[CTL_FREE_COUNT] === 0 || c[CTL_PENDING_LEN] === PENDING_CAPACITY) {
      this.side.sync();
      this.check();
      c = this.ctl;
      if (c[CTL_FREE_COUNT] === 0) return ERR_CAPACITY;
    }
    // Next fit: the first free slot at or after the cursor, wrapping round.
    const free = this.freeBits;
    const cursor = c[CTL_CURSOR]!;
    let w = cursor >> 5;
    let bits = free[w]! & (-1 << (cursor & 31));
    while (bits === 0) {
      w = w + 1 === free.length ? 0 : w + 1;
      bits = free[w]!;
    }
    const bit = bits & -bits;
    const slot = (w << 5) | (31 - Math.clz32(bit));
    free[w]! ^= bit;
    this.armedBits[w]! |= bit;
    c[CTL_CURSOR] = slot + 1 === c[CTL_TIMER_CAP] ? 0 : slot + 1;
    c[CTL_FREE_COUNT]!--;
    const gen = (this.gens[slot]! + 1) & GEN_MASK;
    this.gens[slot] = gen;
    this.deadlines[slot] = deadline;
    const n = c[CTL_PENDING_LEN]!;
    this.pendingF64[n * (PENDING_WORDS >> 1)] = deadline;
    const e = n * PENDING_WORDS;
    this.pending[e + PENDING_SLOT] = slot;
    this.pending[e + PENDING_TARGET] = target;
    c[CTL_PENDING_LEN] = n + 1;
    c[CTL_ARMED]!++;
    const f = this.ctlF64;
    if (deadline < f[NEXT_F64]!) f[NEXT_F64] = deadline;
    return (gen << SLOT_BITS) | slot;
  }

  /** The slot an armed timer's handle names, or -1 (views must be current). */
  private armed(handle: number): number {
    if (handle < 0) return -1;
    const slot = handle & SLOT_MASK;
    if (slot >= this.ctl[CTL_TIMER_CAP]!) return -1;
    if (this.gens[slot] !== handle >>> SLOT_BITS) return -1;
    if ((this.armedBits[slot >> 5]! & (1 << (slot & 31))) === 0) return -1;
    return slot;
  }

  disarm(handle: number): boolean {
    this.check();
    const slot = this.armed(handle);
    if (slot < 0) return false;
    this.armedBits[slot >> 5]! &= ~(1 << (slot & 31));
    const c = this.ctl;
    c[CTL_ARMED]!--;
    c[CTL_TOMBS]!++;
    if (this.deadlines[slot]! <= this.ctlF64[NEXT_F64]!) c[CTL_NEXT_DIRTY] = 1;
    return true;
  }

  timerDeadline(handle: number): number {
    this.check();
    const slot = this.armed(handle);
    return slot < 0 ? NaN : this.deadlines[slot]!;
  }

  timerCount(): number {
    this.check();
    return this.ctl[CTL_ARMED]!;
  }

  nextDeadline(): number {
    this.check();
    if (this.ctl[CTL_NEXT_DIRTY] === 0) return this.ctlF64[NEXT_F64]!;
    return this.side.recompute();
  }

  advance(now: number): number {
    // Nothing is due before the bound: no call. (A detached view reads undefined, and
    // NaN compares false: both go to the core, which answers them.)
    if (now < this.ctlF64[NEXT_F64]!) return 0;
    return this.side.fire(now);
  }
}

/**
 * What both cores share above their tables: the Core interface, with the per-operation
 * methods answered by the Port and the rest left to each core.
 *
 * @example
 * ```ts
 * const core: PortCore = createCore("ts") as PortCore; // TsCore and WasmCore extend it
 * core.arm(core.spawn(), 5);
 * ```
 */
export abstract class PortCore implements Core {
  readonly batchCapacity = BATCH_CAPACITY;
  protected readonly port: Port;

  constructor(
    readonly kind: CoreKind,
    side: CoreSide,
  ) {
    this.port = new Port(side);
  }

  abstract spawn(): number;
  abstract reset(): void;
  abstract release(id: number): boolean;
  abstract drain(max: number): number;
  abstract readyBatch(n: number): number;
  abstract batchOut(): Int32Array;
  abstract batchIn(): Int32Array;

  isLive(id: number): boolean {
    return this.port.isLive(id);
  }
  taskState(id: number): number {
    return this.port.taskState(id);
  }
  switches(id: number): number {
    return this.port.switches(id);
  }
  wakeups(id: number): number {
    return this.port.wakeups(id);
  }
  recordSwitch(id: number): boolean {
    return this.port.recordSwitch(id);
  }
  taskCount(): number {
    return this.port.taskCount();
  }
  ready(entry: number): boolean {
    return this.port.ready(entry);
  }
  nextReady(): number {
    return this.port.nextReady();
  }
  readyLength(): number {
    return this.port.readyLength();
  }
  arm(target: number, deadline: number): number {
    return this.port.arm(target, deadline);
  }
  disarm(handle: number): boolean {
    return this.port.disarm(handle);
  }
  sleepUntil(id: number, deadline: number): number {
    return this.port.sleepUntil(id, deadline);
  }
  cancelTimer(handle: number): boolean {
    return this.port.disarm(handle);
  }
  timerDeadline(handle: number): number {
    return this.port.timerDeadline(handle);
  }
  timerCount(): number {
    return this.port.timerCount();
  }
  nextDeadline(): number {
    return this.port.nextDeadline();
  }
  advance(now: number): number {
    return this.port.advance(now);
  }

  armMany(
    targets: ArrayLike<number>,
    deadlines: ArrayLike<number>,
    handles: Int32Array,
    n = targets.length,
  ): number {
    const port = this.port;
    let armed = 0;
    for (let i = 0; i < n; i++) {
      const h = port.arm(targets[i]!, deadlines[i]!);
      handles[i] = h;
      if (h >= 0) armed++;
    }
    return armed;
  }

  drainInto(out: Int32Array, max = out.length): number {
    let budget = Math.min(max, out.length, this.readyLength());
    let written = 0;
    while (budget > 0) {
      const take = Math.min(budget, BATCH_CAPACITY);
      const k = this.drain(take);
      budget -= take;
      out.set(this.batchOut().subarray(0, k), written);
      written += k;
    }
    return written;
  }
}
