// Property test: random sequences of core operations, applied to the WebAssembly core, its
// TypeScript twin and a reference model written here for obviousness, not speed (arrays
// scanned and spliced, timers kept as a list sorted by (deadline, seq)). After every
// operation the three must agree on its result and on everything observable.
//
// The two cores must agree exactly, timer handles included. The model does not predict
// handle values (which slot a timer gets is the allocator's business): it answers with its
// own timer numbers, and the test keeps a map from each handle the cores returned to the
// model's timer, so a handle is valid for the model exactly while the timer it was returned
// for is armed — which is what stale-handle rejection means.

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createCore, type Core } from "../../src/core/index.js";

// The ABI, written out again on purpose: the model must not share code with the cores.
const SLOT_SPACE = 2 ** 22;
const GENERATIONS = 512;
const MAX_DEADLINE = 8.64e15;
const BATCH = 1024;
const ERR_STALE = -1;
const ERR_DEADLINE = -2;

interface ModelTimer {
  id: number;
  deadline: number;
  seq: number;
  target: number;
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
  // The ready queue holds ids and tokens, stale ids included until they are reached.
  private queue: number[] = [];
  // Timers: the armed ones sorted by (deadline, seq); ids count up and are never reused.
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

  ready(entry: number): boolean {
    if (entry <= -2) {
      this.queue.push(entry); // a token: as it is, every time
      return true;
    }
    const slot = this.slotOf(entry);
    if (slot < 0 || this.queued[slot]) return false;
    this.queued[slot] = true;
    this.wakeupCount[slot]!++;
    this.queue.push(entry);
    return true;
  }
  nextReady(): number {
    while (this.queue.length > 0) {
      const id = this.queue.shift()!;
      if (id <= -2) return id;
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
  /** The entries drain(max) writes to the OUT buffer; drainInto has no batch limit. */
  drain(max: number, limit = BATCH): number[] {
    const entries = this.queue.splice(0, Math.max(0, Math.min(max, limit, this.queue.length)));
    const out: number[] = [];
    for (const id of entries) {
      if (id <= -2) {
        out.push(id);
        continue;
      }
      const slot = this.slotOf(id);
      if (slot < 0) continue;
      this.queued[slot] = false;
      this.switchCount[slot]!++;
      out.push(id);
    }
    return out;
  }
  readyBatch(entries: number[]): number {
    return entries.filter((e) => this.ready(e)).length;
  }

  /** A model timer number (>= 0), or an error code. */
  arm(target: number, deadline: number): number {
    if (target === -1) return ERR_STALE;
    if (Number.isNaN(deadline)) return ERR_DEADLINE;
    deadline = Math.min(deadline, MAX_DEADLINE);
    const timer = { id: this.seq, deadline, seq: this.seq, target };
    this.seq++;
    // After every timer with a deadline <= this one: seq grows, so ties keep arming order.
    let at = this.armed.findIndex((t) => t.deadline > deadline);
    if (at < 0) at = this.armed.length;
    this.armed.splice(at, 0, timer);
    return timer.id;
  }
  sleepUntil(id: number, deadline: number): number {
    if (this.slotOf(id) < 0) return ERR_STALE;
    return this.arm(id, deadline);
  }
  private armedIndex(timer: number | undefined): number {
    return timer === undefined ? -1 : this.armed.findIndex((t) => t.id === timer);
  }
  disarm(timer: number | undefined): boolean {
    const i = this.armedIndex(timer);
    if (i < 0) return false;
    this.armed.splice(i, 1);
    return true;
  }
  timerDeadline(timer: number | undefined): number {
    const i = this.armedIndex(timer);
    return i < 0 ? NaN : this.armed[i]!.deadline;
  }
  advance(now: number): number {
    if (Number.isNaN(now)) return ERR_DEADLINE;
    let moved = 0;
    while (this.armed.length > 0 && this.armed[0]!.deadline <= now) {
      const timer = this.armed.shift()!;
      if (this.ready(timer.target)) moved++;
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
  | { kind: "drainInto"; size: number }
  | { kind: "sleepUntil"; pick: number; deadline: number }
  | { kind: "arm"; pick: number; deadline: number }
  | { kind: "cancelTimer"; pick: number }
  | { kind: "advance"; now: number }
  | { kind: "nextDeadline" };

const pick = fc.nat({ max: 1 << 20 }); // taken modulo the entries (or handles) known so far
/** Times: small integers (ties are common), fractions within a millisecond, and the odd. */
const time = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: -3, max: 12 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 48 }).map((q) => q / 4) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 300_000 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      NaN,
      Infinity,
      -Infinity,
      1e300,
      -1e300,
      2.5,
      7.999,
      8.64e15,
      8.64e15 - 1,
      2 ** 36 - 1, // the wheel's first epoch ends at 2^36 ms
      2 ** 36,
      2 ** 36 + 0.5,
      1.7e12, // a Date.now() as a deadline
      4096,
      262_144,
      1e9,
    ),
  },
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
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("drainInto" as const),
      size: fc.integer({ min: 0, max: 6 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("sleepUntil" as const), pick, deadline: time }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("arm" as const), pick, deadline: time }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("cancelTimer" as const), pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), now: time }) },
  { weight: 1, arbitrary: fc.constant({ kind: "nextDeadline" as const }) },
);

/** Ids no core ever hands out early in a run: a slot never used, a generation never reached. */
const BOGUS_IDS = [40 * SLOT_SPACE + 1, 2 ** 31 - 1, SLOT_SPACE - 1];
/** Entries ready() and arm() are given besides ids: NONE and host tokens. */
const TOKENS = [-1, -2, -3, -1000, -(2 ** 31)];
/** Handles no core hands out early in a run. */
const BOGUS_HANDLES = [-1, 0, 12345, 2 ** 31 - 1];

/** The state of one run: what the cores returned, and what it means to the model. */
interface Run {
  /** Task ids handed out, bogus ones first. */
  ids: number[];
  /** Timer handles handed out, bogus ones first. */
  handles: number[];
  /** Core handle -> the model's timer it was returned for (the latest such timer). */
  timers: Map<number, number>;
}

function newRun(): Run {
  return { ids: [...BOGUS_IDS], handles: [...BOGUS_HANDLES], timers: new Map() };
}

/** Task ids and tokens, for operations that take either. */
function entryOf(run: Run, p: number): number {
  const all = run.ids.length + TOKENS.length;
  const i = p % all;
  return i < run.ids.length ? run.ids[i]! : TOKENS[i - run.ids.length]!;
}

/** What the three implementations answer to one operation. */
function apply(target: Core | Model, o: Op, run: Run): unknown {
  const id = (p: number): number => run.ids[p % run.ids.length]!;
  const handle = (p: number): number => run.handles[p % run.handles.length]!;
  const isModel = target instanceof Model;
  switch (o.kind) {
    case "spawn":
      return target.spawn();
    case "release":
      return target.release(id(o.pick));
    case "ready":
      return target.ready(entryOf(run, o.pick));
    case "readyBatch": {
      const batch = o.picks.map((p) => entryOf(run, p));
      if (isModel) return target.readyBatch(batch);
      target.batchIn().set(batch);
      return target.readyBatch(batch.length);
    }
    case "recordSwitch":
      return target.recordSwitch(id(o.pick));
    case "nextReady":
      return target.nextReady();
    case "drain": {
      if (isModel) return target.drain(o.max);
      const n = target.drain(o.max);
      return Array.from(target.batchOut().subarray(0, n));
    }
    case "drainInto": {
      if (isModel) return target.drain(o.size, Infinity);
      const out = new Int32Array(o.size);
      return Array.from(out.subarray(0, target.drainInto(out)));
    }
    case "sleepUntil":
      return target.sleepUntil(id(o.pick), o.deadline);
    case "arm":
      return target.arm(entryOf(run, o.pick), o.deadline);
    case "cancelTimer": {
      const h = handle(o.pick);
      return isModel ? target.disarm(run.timers.get(h)) : target.cancelTimer(h);
    }
    case "advance":
      return target.advance(o.now);
    case "nextDeadline":
      return target.nextDeadline();
  }
}

/** A result as the model and the cores can agree on it: a handle is just "a handle". */
function comparable(o: Op, result: unknown): unknown {
  if ((o.kind === "arm" || o.kind === "sleepUntil") && (result as number) >= 0) return "handle";
  return result;
}

/** Everything observable about a core without changing it (no call into the core). */
function observe(target: Core | Model, run: Run) {
  return {
    taskCount: target.taskCount(),
    timerCount: target.timerCount(),
    readyLength: target.readyLength(),
    tasks: run.ids.map((id) => [
      target.isLive(id),
      target.taskState(id),
      target.switches(id),
      target.wakeups(id),
    ]),
    timers: run.handles.map((h) =>
      target instanceof Model ? target.timerDeadline(run.timers.get(h)) : target.timerDeadline(h),
    ),
  };
}

/** Applies `ops` to the model and both cores, checking after each step (or at the end). */
function check(ops: Op[], everyStep: boolean): void {
  const model = new Model();
  const cores = [createCore("wasm"), createCore("ts")];
  const run = newRun();
  for (const [step, o] of ops.entries()) {
    const where = (kind: string): string => `${kind}, step ${step}: ${JSON.stringify(o)}`;
    const expected = apply(model, o, run);
    const [wasm, ts] = cores.map((core) => apply(core, o, run));
    expect(wasm, where("wasm and ts cores")).toEqual(ts);
    expect(comparable(o, wasm), where("the cores and the model")).toEqual(comparable(o, expected));
    if (o.kind === "spawn") run.ids.push(expected as number);
    if ((o.kind === "arm" || o.kind === "sleepUntil") && (wasm as number) >= 0) {
      run.handles.push(wasm as number);
      run.timers.set(wasm as number, expected as number);
    }
    if (everyStep || step === ops.length - 1) {
      const state = observe(model, run);
      for (const core of cores) expect(observe(core, run), where(core.kind)).toEqual(state);
    }
  }
  // Everything still armed fires, and the whole queue comes out in the model's order.
  for (const o of [
    { kind: "nextDeadline" },
    { kind: "advance", now: Infinity },
    { kind: "drainInto", size: 1 << 20 },
  ] as const) {
    const expected = apply(model, o, run);
    for (const core of cores)
      expect(apply(core, o, run), `${core.kind}: ${o.kind}`).toEqual(expected);
  }
}

describe("random operation sequences", () => {
  test("the wasm core, the ts core and the reference model always agree", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 100 }), (ops) => check(ops, true)),
      { numRuns: 1000 },
    );
  });

  test("long runs with many tasks and timers agree too", () => {
    // Fewer, longer runs: slots are reused many times, the queue holds many stale ids, and
    // the wheel cascades and sweeps tombstones.
    const longOp = fc.oneof(op, fc.constant({ kind: "spawn" as const }));
    fc.assert(
      fc.property(fc.array(longOp, { minLength: 200, maxLength: 800 }), (ops) => check(ops, false)),
      { numRuns: 40 },
    );
  });

  test("a clock that moves forward, with timers at every level of the wheel, agrees", () => {
    // What a host does: time only moves forward, by small steps and by jumps of hours, and
    // timers are armed relative to now, from sub-millisecond to years ahead.
    const delay = fc.oneof(
      fc.integer({ min: 0, max: 64 }),
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 0, max: 4 * 3600_000 }),
      fc.integer({ min: 0, max: 2 ** 36 + 10 }),
      fc.integer({ min: 0, max: 400 }).map((q) => q / 8),
    );
    const step = fc.oneof(
      { weight: 3, arbitrary: fc.record({ arm: delay, pick }) },
      { weight: 1, arbitrary: fc.record({ cancel: pick }) },
      { weight: 2, arbitrary: fc.record({ wait: delay }) },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 50, maxLength: 400 }), (steps) => {
        const ops: Op[] = [{ kind: "spawn" }, { kind: "spawn" }, { kind: "spawn" }];
        let now = 0;
        for (const s of steps) {
          if ("arm" in s) ops.push({ kind: "arm", pick: s.pick, deadline: now + s.arm });
          else if ("cancel" in s) ops.push({ kind: "cancelTimer", pick: s.cancel });
          else {
            now += s.wait;
            ops.push({ kind: "advance", now }, { kind: "drain", max: 1024 });
          }
        }
        check(ops, false);
      }),
      { numRuns: 60 },
    );
  });
});

describe("one million timers", () => {
  test("fire in (deadline, arming order) on both cores, with cancels and a moving clock", () => {
    const N = 1_000_000;
    // Deadlines at every level and odd ones: fractions, ties, far, negative, "never".
    let x = 0x9e3779b9;
    const random = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
    const deadlines = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const r = random();
      if (r < 0.5) deadlines[i] = Math.floor(random() * 100_000);
      else if (r < 0.8) deadlines[i] = random() * 5000;
      else if (r < 0.95) deadlines[i] = Math.floor(random() * 2 ** 37);
      else if (r < 0.98) deadlines[i] = -random() * 1000;
      else deadlines[i] = 8.64e15;
    }
    // Targets: tokens, so the order of all N comes out of the queue (tasks would dedup).
    const targets = new Int32Array(N);
    for (let i = 0; i < N; i++) targets[i] = -2 - i;
    const cancelled = (i: number): boolean => i % 7 === 3;
    // Arm in four quarters, advancing the clock after each: the reference fires, at each
    // advance, what is armed, not cancelled, not fired yet and due, in (deadline, index).
    const times = [2000, 70_000, 2 ** 36, Infinity];
    const sorted = Array.from({ length: N }, (_, i) => i)
      .filter((i) => !cancelled(i))
      .sort((a, b) => deadlines[a]! - deadlines[b]! || a - b);
    const expected: number[] = [];
    let pending = sorted;
    for (let q = 0; q < 4; q++) {
      const armedUpTo = ((q + 1) * N) / 4;
      const due = (i: number): boolean => i < armedUpTo && deadlines[i]! <= times[q]!;
      for (const i of pending) if (due(i)) expected.push(-2 - i);
      pending = pending.filter((i) => !due(i));
    }
    expect(pending.length).toBe(0);
    for (const kind of ["wasm", "ts"] as const) {
      const core = createCore(kind);
      const handles = new Int32Array(N);
      const out = new Int32Array(N);
      let fired = 0;
      for (let q = 0; q < 4; q++) {
        const from = (q * N) / 4;
        const to = ((q + 1) * N) / 4;
        expect(
          core.armMany(
            targets.subarray(from, to),
            deadlines.subarray(from, to),
            handles.subarray(from, to),
          ),
        ).toBe(to - from);
        for (let i = from; i < to; i++) if (cancelled(i)) core.disarm(handles[i]!);
        core.advance(times[q]!);
        fired += core.drainInto(out.subarray(fired));
      }
      expect(fired, kind).toBe(expected.length);
      expect(core.timerCount()).toBe(0);
      // Compare without building a million-element diff on failure.
      const first = expected.findIndex((e, i) => out[i] !== e);
      expect(first, `${kind}: first out-of-order entry`).toBe(-1);
    }
  });
});
