// Property test: random sequences of core operations, applied to the WebAssembly core, its
// TypeScript twin and a reference model written here for obviousness, not speed (arrays
// scanned and spliced, timers kept as a list sorted by (deadline, seq)). After every
// operation the three must agree on its result and on everything observable.

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createCore, type Core } from "../../src/core/index.js";

// The ABI, written out again on purpose: the model must not share code with the cores.
const SLOT_SPACE = 2 ** 22;
const GENERATIONS = 512;
const MAX_DEADLINE = 8.64e15;
const BATCH = 1024;

interface ModelTimer {
  deadline: number;
  seq: number;
  slot: number;
  task: number;
}

/** The obviously correct core. */
class Model {
  // Tasks, one entry per slot ever used.
  private gen: number[] = [];
  private live: boolean[] = [];
  private queued: boolean[] = [];
  private switchCount: number[] = [];
  private wakeupCount: number[] = [];
  private freeSlots: number[] = []; // oldest released first
  // The ready queue holds ids, stale ones included until they are reached.
  private queue: number[] = [];
  // Timers: generation per timer slot, and the armed ones sorted by (deadline, seq).
  private timerGen: number[] = [];
  private freeTimers: number[] = [];
  private armed: ModelTimer[] = [];
  private seq = 0;

  private slotOf(id: number): number {
    if (id < 0) return -1;
    const slot = id % SLOT_SPACE;
    const gen = Math.floor(id / SLOT_SPACE);
    if (slot >= this.gen.length || !this.live[slot] || this.gen[slot] !== gen) return -1;
    return slot;
  }

  spawn(): number {
    let slot = this.freeSlots.shift();
    if (slot === undefined) {
      slot = this.gen.length;
      this.gen.push(0);
    }
    this.live[slot] = true;
    this.queued[slot] = false;
    this.switchCount[slot] = 0;
    this.wakeupCount[slot] = 0;
    return this.gen[slot]! * SLOT_SPACE + slot;
  }
  release(id: number): boolean {
    const slot = this.slotOf(id);
    if (slot < 0) return false;
    this.gen[slot] = (this.gen[slot]! + 1) % GENERATIONS;
    this.live[slot] = false;
    this.freeSlots.push(slot);
    return true;
  }
  isLive(id: number): boolean {
    return this.slotOf(id) >= 0;
  }
  taskState(id: number): number {
    const slot = this.slotOf(id);
    return slot < 0 ? 0 : 1 | (this.queued[slot] ? 2 : 0);
  }
  switches(id: number): number {
    const slot = this.slotOf(id);
    return slot < 0 ? -1 : this.switchCount[slot]!;
  }
  wakeups(id: number): number {
    const slot = this.slotOf(id);
    return slot < 0 ? -1 : this.wakeupCount[slot]!;
  }
  recordSwitch(id: number): boolean {
    const slot = this.slotOf(id);
    if (slot < 0) return false;
    this.switchCount[slot]!++;
    return true;
  }
  taskCount(): number {
    return this.live.filter(Boolean).length;
  }

  ready(id: number): boolean {
    const slot = this.slotOf(id);
    if (slot < 0 || this.queued[slot]) return false;
    this.queued[slot] = true;
    this.wakeupCount[slot]!++;
    this.queue.push(id);
    return true;
  }
  nextReady(): number {
    while (this.queue.length > 0) {
      const id = this.queue.shift()!;
      const slot = this.slotOf(id);
      if (slot < 0) continue;
      this.queued[slot] = false;
      return id;
    }
    return -1;
  }
  readyLength(): number {
    return this.queue.length;
  }
  /** The ids drain(max) writes to the OUT buffer. */
  drain(max: number): number[] {
    const entries = this.queue.splice(0, Math.max(0, Math.min(max, BATCH, this.queue.length)));
    const out: number[] = [];
    for (const id of entries) {
      const slot = this.slotOf(id);
      if (slot < 0) continue;
      this.queued[slot] = false;
      this.switchCount[slot]!++;
      out.push(id);
    }
    return out;
  }
  readyBatch(ids: number[]): number {
    return ids.filter((id) => this.ready(id)).length;
  }

  sleepUntil(id: number, deadline: number): number {
    if (this.slotOf(id) < 0) return -1;
    if (Number.isNaN(deadline)) return -2;
    deadline = Math.min(deadline, MAX_DEADLINE);
    let slot = this.freeTimers.shift();
    if (slot === undefined) {
      slot = this.timerGen.length;
      this.timerGen.push(0);
    }
    // After every timer with a deadline <= this one: seq grows, so ties keep arming order.
    let at = this.armed.findIndex((t) => t.deadline > deadline);
    if (at < 0) at = this.armed.length;
    this.armed.splice(at, 0, { deadline, seq: this.seq++, slot, task: id });
    return this.timerGen[slot]! * SLOT_SPACE + slot;
  }
  private armedIndex(handle: number): number {
    if (handle < 0) return -1;
    const slot = handle % SLOT_SPACE;
    if (this.timerGen[slot] !== Math.floor(handle / SLOT_SPACE)) return -1;
    return this.armed.findIndex((t) => t.slot === slot);
  }
  private freeTimer(slot: number): void {
    this.timerGen[slot] = (this.timerGen[slot]! + 1) % GENERATIONS;
    this.freeTimers.push(slot);
  }
  cancelTimer(handle: number): boolean {
    const i = this.armedIndex(handle);
    if (i < 0) return false;
    const [timer] = this.armed.splice(i, 1);
    this.freeTimer(timer!.slot);
    return true;
  }
  timerDeadline(handle: number): number {
    const i = this.armedIndex(handle);
    return i < 0 ? NaN : this.armed[i]!.deadline;
  }
  advance(now: number): number {
    if (Number.isNaN(now)) return -2;
    let moved = 0;
    while (this.armed.length > 0 && this.armed[0]!.deadline <= now) {
      const timer = this.armed.shift()!;
      this.freeTimer(timer.slot);
      if (this.ready(timer.task)) moved++;
    }
    return moved;
  }
  nextDeadline(): number {
    return this.armed.length > 0 ? this.armed[0]!.deadline : Infinity;
  }
  timerCount(): number {
    return this.armed.length;
  }
}

type Op =
  | { kind: "spawn" }
  | { kind: "release"; pick: number }
  | { kind: "ready"; pick: number }
  | { kind: "readyBatch"; picks: number[] }
  | { kind: "recordSwitch"; pick: number }
  | { kind: "nextReady" }
  | { kind: "drain"; max: number }
  | { kind: "sleepUntil"; pick: number; deadline: number }
  | { kind: "cancelTimer"; pick: number }
  | { kind: "advance"; now: number };

const pick = fc.nat({ max: 1 << 20 }); // taken modulo the ids (or handles) known so far
// Small integer times, so deadlines collide and ties are common.
const time = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: -3, max: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e300, 2.5) },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: "spawn" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("release" as const), pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("ready" as const), pick }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("readyBatch" as const),
      picks: fc.array(pick, { maxLength: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("recordSwitch" as const), pick }) },
  { weight: 2, arbitrary: fc.constant({ kind: "nextReady" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("drain" as const),
      max: fc.integer({ min: -1, max: 6 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("sleepUntil" as const), pick, deadline: time }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancelTimer" as const), pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), now: time }) },
);

/** Ids no core ever hands out early in a run: a slot never used, a generation never reached. */
const BOGUS_IDS = [40 * SLOT_SPACE + 1, 2 ** 31 - 1, SLOT_SPACE - 1];

/** What the three implementations answer to one operation. */
function apply(target: Core | Model, o: Op, ids: number[], handles: number[]): unknown {
  const id = (p: number): number => ids[p % ids.length]!;
  switch (o.kind) {
    case "spawn":
      return target.spawn();
    case "release":
      return target.release(id(o.pick));
    case "ready":
      return target.ready(id(o.pick));
    case "readyBatch": {
      const batch = o.picks.map(id);
      if (target instanceof Model) return target.readyBatch(batch);
      target.batchIn().set(batch);
      return target.readyBatch(batch.length);
    }
    case "recordSwitch":
      return target.recordSwitch(id(o.pick));
    case "nextReady":
      return target.nextReady();
    case "drain": {
      if (target instanceof Model) return target.drain(o.max);
      const n = target.drain(o.max);
      return Array.from(target.batchOut().subarray(0, n));
    }
    case "sleepUntil":
      return target.sleepUntil(id(o.pick), o.deadline);
    case "cancelTimer":
      return target.cancelTimer(handles.length > 0 ? handles[o.pick % handles.length]! : 0);
    case "advance":
      return target.advance(o.now);
  }
}

/** Everything observable about a core without changing it. */
function observe(target: Core | Model, ids: number[], handles: number[]) {
  return {
    taskCount: target.taskCount(),
    timerCount: target.timerCount(),
    readyLength: target.readyLength(),
    nextDeadline: target.nextDeadline(),
    tasks: ids.map((id) => [
      target.isLive(id),
      target.taskState(id),
      target.switches(id),
      target.wakeups(id),
    ]),
    timers: handles.map((h) => target.timerDeadline(h)),
  };
}

describe("random operation sequences", () => {
  test("the wasm core, the ts core and the reference model always agree", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 100 }), (ops) => {
        const model = new Model();
        const cores = [createCore("wasm"), createCore("ts")];
        const ids = [...BOGUS_IDS];
        const handles: number[] = [];
        for (const [step, o] of ops.entries()) {
          const expected = apply(model, o, ids, handles);
          for (const core of cores) {
            const actual = apply(core, o, ids, handles);
            expect(actual, `${core.kind} core, step ${step}: ${JSON.stringify(o)}`).toEqual(
              expected,
            );
          }
          if (o.kind === "spawn") ids.push(expected as number);
          if (o.kind === "sleepUntil" && (expected as number) >= 0)
            handles.push(expected as number);
          const state = observe(model, ids, handles);
          for (const core of cores) {
            expect(observe(core, ids, handles), `${core.kind} core after step ${step}`).toEqual(
              state,
            );
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("long runs with many tasks agree too", () => {
    // Fewer, longer runs: slots are reused many times and the queue holds many stale ids.
    const longOp = fc.oneof(op, fc.constant({ kind: "spawn" as const }));
    fc.assert(
      fc.property(fc.array(longOp, { minLength: 200, maxLength: 600 }), (ops) => {
        const model = new Model();
        const cores = [createCore("wasm"), createCore("ts")];
        const ids = [...BOGUS_IDS];
        const handles: number[] = [];
        for (const o of ops) {
          const expected = apply(model, o, ids, handles);
          for (const core of cores) expect(apply(core, o, ids, handles)).toEqual(expected);
          if (o.kind === "spawn") ids.push(expected as number);
          if (o.kind === "sleepUntil" && (expected as number) >= 0)
            handles.push(expected as number);
        }
        const state = observe(model, ids, handles);
        for (const core of cores) expect(observe(core, ids, handles)).toEqual(state);
      }),
      { numRuns: 40 },
    );
  });
});
