// One conformance suite, run against both cores: the WebAssembly core and its TypeScript
// twin must give the same answer to every operation (STYLE.md, practice 9). Each test names
// the behaviour it pins down; time is virtual (advance(now) is the only clock).

import { describe, expect, test } from "vitest";
import {
  BATCH_CAPACITY,
  ERR_CAPACITY,
  ERR_DEADLINE,
  ERR_STALE,
  MAX_DEADLINE,
  MAX_SLOTS,
  NONE,
  SLOT_BITS,
  SLOT_MASK,
  TASK_LIVE,
  TASK_QUEUED,
  WasmCore,
  createCore,
  type Core,
  type CoreKind,
} from "../../src/core/index.js";

const kinds: CoreKind[] = ["wasm", "ts"];

/** Spawns `n` tasks and returns their ids. */
function spawnMany(core: Core, n: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(core.spawn());
  return ids;
}

/** Pops the whole ready queue through nextReady(). */
function popAll(core: Core): number[] {
  const ids: number[] = [];
  for (let id = core.nextReady(); id !== NONE; id = core.nextReady()) ids.push(id);
  return ids;
}

/** Drains the whole ready queue through drain() and the OUT buffer. */
function drainAll(core: Core): number[] {
  const ids: number[] = [];
  for (;;) {
    const n = core.drain(core.batchCapacity);
    if (n === 0 && core.readyLength() === 0) return ids;
    const out = core.batchOut();
    for (let i = 0; i < n; i++) ids.push(out[i]!);
  }
}

/** A small deterministic PRNG (mulberry32), so big tests are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(kinds)("%s core", (kind) => {
  const make = (): Core => createCore(kind);

  describe("reset", () => {
    test("makes every id and timer handle stale, empties the queue and keeps working", () => {
      const core = make();
      const ids = spawnMany(core, 50);
      const handles = ids.slice(0, 20).map((id, i) => core.sleepUntil(id, 100 + i));
      for (const id of ids.slice(20, 30)) core.ready(id);
      core.release(ids[49]!);
      core.reset();
      expect(core.taskCount()).toBe(0);
      expect(core.timerCount()).toBe(0);
      expect(core.readyLength()).toBe(0);
      expect(core.nextReady()).toBe(-1);
      expect(core.nextDeadline()).toBe(Infinity);
      for (const id of ids) {
        expect(core.isLive(id)).toBe(false);
        expect(core.ready(id)).toBe(false);
        expect(core.release(id)).toBe(false);
      }
      for (const h of handles) expect(core.cancelTimer(h)).toBe(false);
      // The reused slots hand out new ids that no old one equals.
      const fresh = spawnMany(core, 50);
      for (const id of fresh) expect(ids).not.toContain(id);
      core.sleepUntil(fresh[0]!, 5);
      expect(core.advance(5)).toBe(1);
      expect(core.nextReady()).toBe(fresh[0]);
      expect(core.advance(1000)).toBe(0); // the old timers never fire
    });
  });

  describe("tasks", () => {
    test("spawn hands out distinct live ids and counts them", () => {
      const core = make();
      const ids = spawnMany(core, 5);
      expect(new Set(ids).size).toBe(5);
      for (const id of ids) {
        expect(id).toBeGreaterThanOrEqual(0);
        expect(core.isLive(id)).toBe(true);
        expect(core.taskState(id)).toBe(TASK_LIVE);
        expect(core.switches(id)).toBe(0);
        expect(core.wakeups(id)).toBe(0);
      }
      expect(core.taskCount()).toBe(5);
    });

    test("a released id is stale and every operation rejects it", () => {
      const core = make();
      const [id, other] = spawnMany(core, 2) as [number, number];
      expect(core.release(id)).toBe(true);
      expect(core.isLive(id)).toBe(false);
      expect(core.taskState(id)).toBe(0);
      expect(core.release(id)).toBe(false);
      expect(core.ready(id)).toBe(false);
      expect(core.sleepUntil(id, 10)).toBe(ERR_STALE);
      expect(core.switches(id)).toBe(-1);
      expect(core.wakeups(id)).toBe(-1);
      expect(core.recordSwitch(id)).toBe(false);
      core.batchIn()[0] = id;
      expect(core.readyBatch(1)).toBe(0);
      expect(core.taskCount()).toBe(1);
      expect(core.timerCount()).toBe(0);
      expect(core.readyLength()).toBe(0);
      expect(core.isLive(other)).toBe(true);
    });

    test("ids that were never handed out are rejected", () => {
      const core = make();
      const id = core.spawn();
      for (const bogus of [-1, -2, id + 1, 1 << SLOT_BITS, SLOT_MASK, 0x7fffffff]) {
        expect(core.isLive(bogus)).toBe(false);
        // -2 is a host token, which ready() takes as it is (see "host tokens").
        if (bogus !== -2) expect(core.ready(bogus)).toBe(false);
        expect(core.release(bogus)).toBe(false);
        expect(core.sleepUntil(bogus, 1)).toBe(ERR_STALE);
        expect(core.switches(bogus)).toBe(-1);
        expect(core.taskState(bogus)).toBe(0);
      }
      expect(core.taskCount()).toBe(1);
    });

    test("reusing a released slot hands out a new id that differs from the stale one", () => {
      const core = make();
      const old = core.spawn();
      core.release(old);
      const fresh = core.spawn();
      expect(fresh).not.toBe(old);
      expect(fresh & SLOT_MASK).toBe(old & SLOT_MASK);
      expect(fresh >>> SLOT_BITS).toBe((old >>> SLOT_BITS) + 1);
      expect(core.isLive(fresh)).toBe(true);
      expect(core.isLive(old)).toBe(false);
      expect(core.ready(old)).toBe(false);
      expect(core.release(old)).toBe(false);
      expect(core.isLive(fresh)).toBe(true);
    });

    test("released slots are reused oldest first", () => {
      const core = make();
      const [a, b, c] = spawnMany(core, 3) as [number, number, number];
      core.release(b);
      core.release(a);
      core.release(c);
      const slots = spawnMany(core, 3).map((id) => id & SLOT_MASK);
      expect(slots).toEqual([b & SLOT_MASK, a & SLOT_MASK, c & SLOT_MASK]);
      expect(core.spawn() & SLOT_MASK).toBe(3);
    });

    test("a reused slot starts with fresh counters and is not queued", () => {
      const core = make();
      const old = core.spawn();
      core.ready(old);
      core.recordSwitch(old);
      core.release(old);
      const fresh = core.spawn();
      expect(core.taskState(fresh)).toBe(TASK_LIVE);
      expect(core.switches(fresh)).toBe(0);
      expect(core.wakeups(fresh)).toBe(0);
      // The stale entry is still in the ring, but the fresh task can be queued behind it.
      expect(core.ready(fresh)).toBe(true);
      expect(popAll(core)).toEqual([fresh]);
    });
  });

  describe("ready queue", () => {
    test("an already queued task is not queued twice", () => {
      const core = make();
      const id = core.spawn();
      expect(core.ready(id)).toBe(true);
      expect(core.ready(id)).toBe(false);
      expect(core.taskState(id)).toBe(TASK_LIVE | TASK_QUEUED);
      expect(core.readyLength()).toBe(1);
      expect(core.wakeups(id)).toBe(1);
    });

    test("nextReady returns tasks in the order they were readied, then -1", () => {
      const core = make();
      const ids = spawnMany(core, 6);
      const order = [ids[3]!, ids[0]!, ids[5]!, ids[1]!, ids[4]!, ids[2]!];
      for (const id of order) core.ready(id);
      expect(popAll(core)).toEqual(order);
      expect(core.nextReady()).toBe(NONE);
      expect(core.readyLength()).toBe(0);
    });

    test("nextReady on an empty queue returns -1", () => {
      const core = make();
      expect(core.nextReady()).toBe(NONE);
      core.spawn();
      expect(core.nextReady()).toBe(NONE);
    });

    test("a dequeued task is no longer queued and can be readied again", () => {
      const core = make();
      const [a, b] = spawnMany(core, 2) as [number, number];
      core.ready(a);
      core.ready(b);
      expect(core.nextReady()).toBe(a);
      expect(core.taskState(a)).toBe(TASK_LIVE);
      expect(core.ready(a)).toBe(true);
      expect(popAll(core)).toEqual([b, a]);
      expect(core.wakeups(a)).toBe(2);
      expect(core.switches(a)).toBe(0); // nextReady records no switch
    });

    test("a released task's queued entry is skipped", () => {
      const core = make();
      const [a, b, c] = spawnMany(core, 3) as [number, number, number];
      core.ready(a);
      core.ready(b);
      core.ready(c);
      core.release(b);
      expect(core.readyLength()).toBe(3); // an upper bound: b's entry is still there
      expect(popAll(core)).toEqual([a, c]);
      expect(core.readyLength()).toBe(0);
    });

    test("the ring keeps FIFO order while it grows past its initial capacity", () => {
      const core = make();
      const ids = spawnMany(core, 5000);
      // Wrap the ring first so that growing has to unwrap it.
      for (const id of ids.slice(0, 700)) core.ready(id);
      expect(popAll(core).length).toBe(700);
      for (const id of ids) core.ready(id);
      expect(popAll(core)).toEqual(ids);
    });
  });

  describe("drain and readyBatch", () => {
    test("drain writes live ids to batchOut in order and records a switch for each", () => {
      const core = make();
      const [a, b, c] = spawnMany(core, 3) as [number, number, number];
      core.ready(c);
      core.ready(a);
      core.ready(b);
      expect(core.drain(10)).toBe(3);
      expect(Array.from(core.batchOut().subarray(0, 3))).toEqual([c, a, b]);
      for (const id of [a, b, c]) {
        expect(core.switches(id)).toBe(1);
        expect(core.taskState(id)).toBe(TASK_LIVE);
      }
      expect(core.readyLength()).toBe(0);
      expect(core.drain(10)).toBe(0);
    });

    test("drain(max) consumes at most max entries, and stale ones count against max", () => {
      const core = make();
      const [a, b, c, d] = spawnMany(core, 4) as [number, number, number, number];
      for (const id of [a, b, c, d]) core.ready(id);
      core.release(b);
      // Entries: a, b (stale), c, d. drain(2) consumes a and b, and writes only a.
      expect(core.drain(2)).toBe(1);
      expect(core.batchOut()[0]).toBe(a);
      expect(core.readyLength()).toBe(2);
      expect(core.taskState(c)).toBe(TASK_LIVE | TASK_QUEUED);
      expect(core.drain(1)).toBe(1);
      expect(core.batchOut()[0]).toBe(c);
      expect(core.drain(0)).toBe(0);
      expect(core.drain(-5)).toBe(0);
      expect(core.readyLength()).toBe(1);
      expect(core.drain(2)).toBe(1);
      expect(core.batchOut()[0]).toBe(d);
    });

    test("a tick budgeted by readyLength never runs a task readied during it", () => {
      const core = make();
      const ids = spawnMany(core, 5);
      for (const id of ids) core.ready(id);
      core.release(ids[1]!);
      const late = core.spawn();
      let budget = core.readyLength();
      const ran: number[] = [];
      while (budget > 0) {
        const max = Math.min(budget, 2);
        const n = core.drain(max);
        budget -= max;
        const out = core.batchOut();
        for (let i = 0; i < n; i++) ran.push(out[i]!);
        core.ready(late); // readied mid-tick: must wait for the next tick
      }
      expect(ran).toEqual([ids[0], ids[2], ids[3], ids[4]]);
      expect(popAll(core)).toEqual([late]);
    });

    test("drain never writes more than batchCapacity ids", () => {
      const core = make();
      expect(core.batchCapacity).toBe(BATCH_CAPACITY);
      const ids = spawnMany(core, BATCH_CAPACITY + 476);
      for (const id of ids) core.ready(id);
      expect(core.drain(5000)).toBe(BATCH_CAPACITY);
      expect(core.batchOut()[BATCH_CAPACITY - 1]).toBe(ids[BATCH_CAPACITY - 1]);
      expect(core.readyLength()).toBe(476);
      expect(core.drain(5000)).toBe(476);
      expect(core.batchOut()[0]).toBe(ids[BATCH_CAPACITY]);
    });

    test("readyBatch enqueues batchIn ids in order and skips queued and stale ones", () => {
      const core = make();
      const [a, b, c, d] = spawnMany(core, 4) as [number, number, number, number];
      core.ready(b);
      core.release(d);
      const inb = core.batchIn();
      inb.set([c, a, b, c, d, -1, a]);
      expect(core.readyBatch(7)).toBe(2);
      expect(popAll(core)).toEqual([b, c, a]);
      expect(core.wakeups(c)).toBe(1);
    });

    test("readyBatch reads only the first n ids, at most batchCapacity", () => {
      const core = make();
      const ids = spawnMany(core, BATCH_CAPACITY + 10);
      core.batchIn().set(ids.slice(0, BATCH_CAPACITY));
      expect(core.readyBatch(2)).toBe(2);
      expect(core.readyBatch(0)).toBe(0);
      expect(core.readyBatch(-3)).toBe(0);
      expect(core.readyBatch(BATCH_CAPACITY + 10)).toBe(BATCH_CAPACITY - 2);
      expect(popAll(core)).toEqual(ids.slice(0, BATCH_CAPACITY));
    });

    test("switches and wakeups count resumptions and enqueues", () => {
      const core = make();
      const id = core.spawn();
      for (let i = 0; i < 3; i++) {
        core.ready(id);
        core.drain(1);
      }
      expect(core.recordSwitch(id)).toBe(true);
      core.ready(id);
      core.nextReady(); // dequeues without recording a switch
      expect(core.switches(id)).toBe(4);
      expect(core.wakeups(id)).toBe(4);
    });
  });

  describe("timers", () => {
    test("nextDeadline is Infinity when no timer is armed", () => {
      const core = make();
      expect(core.nextDeadline()).toBe(Infinity);
      const h = core.sleepUntil(core.spawn(), 5);
      expect(core.nextDeadline()).toBe(5);
      core.cancelTimer(h);
      expect(core.nextDeadline()).toBe(Infinity);
      expect(core.advance(100)).toBe(0);
    });

    test("timers fire in deadline order, equal deadlines in arming order", () => {
      const core = make();
      const ids = spawnMany(core, 8);
      const deadlines = [30, 10, 20, 10, 30, 5, 10, 20];
      ids.forEach((id, i) => core.sleepUntil(id, deadlines[i]!));
      expect(core.timerCount()).toBe(8);
      expect(core.nextDeadline()).toBe(5);
      expect(core.advance(4)).toBe(0);
      expect(core.advance(10)).toBe(4);
      expect(popAll(core)).toEqual([ids[5], ids[1], ids[3], ids[6]]);
      expect(core.nextDeadline()).toBe(20);
      expect(core.advance(1000)).toBe(4);
      expect(drainAll(core)).toEqual([ids[2], ids[7], ids[0], ids[4]]);
      expect(core.timerCount()).toBe(0);
    });

    test("a timer fires when now reaches its deadline exactly", () => {
      const core = make();
      const id = core.spawn();
      core.sleepUntil(id, 7.5);
      expect(core.advance(7.499)).toBe(0);
      expect(core.advance(7.5)).toBe(1);
      expect(core.nextReady()).toBe(id);
    });

    test("cancelTimer removes a timer from the middle of the heap", () => {
      const core = make();
      const ids = spawnMany(core, 200);
      const random = prng(7);
      const deadlines = ids.map(() => Math.floor(random() * 50));
      const handles = ids.map((id, i) => core.sleepUntil(id, deadlines[i]!));
      const cancelled = new Set<number>();
      for (let i = 3; i < 200; i += 7) {
        expect(core.cancelTimer(handles[i]!)).toBe(true);
        expect(core.timerDeadline(handles[i]!)).toBeNaN();
        cancelled.add(i);
      }
      expect(core.timerCount()).toBe(200 - cancelled.size);
      const expected = ids
        .map((id, i) => ({ id, i, d: deadlines[i]! }))
        .filter(({ i }) => !cancelled.has(i))
        .sort((x, y) => x.d - y.d || x.i - y.i)
        .map(({ id }) => id);
      expect(core.advance(50)).toBe(expected.length);
      expect(popAll(core)).toEqual(expected);
    });

    test("cancelTimer returns false a second time and for a fired timer", () => {
      const core = make();
      const [a, b] = spawnMany(core, 2) as [number, number];
      const ha = core.sleepUntil(a, 1);
      const hb = core.sleepUntil(b, 2);
      expect(core.cancelTimer(ha)).toBe(true);
      expect(core.cancelTimer(ha)).toBe(false);
      expect(core.advance(2)).toBe(1);
      expect(core.cancelTimer(hb)).toBe(false);
      expect(core.timerDeadline(hb)).toBeNaN();
      expect(core.cancelTimer(-1)).toBe(false);
      expect(core.cancelTimer(12345)).toBe(false);
    });

    test("a stale timer handle cannot cancel the timer that reuses its slot", () => {
      const core = make();
      const [a, b] = spawnMany(core, 2) as [number, number];
      const old = core.sleepUntil(a, 1);
      core.advance(1);
      // Free slots are reused oldest first: arm and fire until the old slot comes back.
      let fresh = core.sleepUntil(b, 5);
      for (let spins = 0; (fresh & SLOT_MASK) !== (old & SLOT_MASK); spins++) {
        expect(spins).toBeLessThan(100_000);
        core.cancelTimer(fresh);
        fresh = core.sleepUntil(b, 5);
      }
      expect(fresh & SLOT_MASK).toBe(old & SLOT_MASK);
      expect(fresh).not.toBe(old);
      expect(core.cancelTimer(old)).toBe(false);
      expect(core.timerDeadline(old)).toBeNaN();
      expect(core.timerDeadline(fresh)).toBe(5);
      expect(core.timerCount()).toBe(1);
    });

    test("a NaN deadline is rejected with ERR_DEADLINE, and so is a NaN now", () => {
      const core = make();
      const id = core.spawn();
      expect(core.sleepUntil(id, NaN)).toBe(ERR_DEADLINE);
      expect(core.timerCount()).toBe(0);
      core.sleepUntil(id, 1);
      expect(core.advance(NaN)).toBe(ERR_DEADLINE);
      expect(core.timerCount()).toBe(1);
      expect(core.readyLength()).toBe(0);
    });

    test("a stale task is rejected before the deadline is looked at", () => {
      const core = make();
      const id = core.spawn();
      core.release(id);
      expect(core.sleepUntil(id, NaN)).toBe(ERR_STALE);
    });

    test("a negative deadline fires at the next advance(0)", () => {
      const core = make();
      const [a, b] = spawnMany(core, 2) as [number, number];
      core.sleepUntil(a, -5);
      core.sleepUntil(b, -Infinity);
      expect(core.nextDeadline()).toBe(-Infinity);
      expect(core.timerDeadline(core.sleepUntil(a, -1e300))).toBe(-1e300);
      expect(core.advance(0)).toBe(2);
      expect(popAll(core)).toEqual([b, a]);
      expect(core.timerCount()).toBe(0);
    });

    test("huge deadlines are clamped to MAX_DEADLINE", () => {
      const core = make();
      const [a, b, c] = spawnMany(core, 3) as [number, number, number];
      const ha = core.sleepUntil(a, 1e300);
      const hb = core.sleepUntil(b, Infinity);
      const hc = core.sleepUntil(c, MAX_DEADLINE);
      expect(MAX_DEADLINE).toBe(8.64e15);
      for (const h of [ha, hb, hc]) expect(core.timerDeadline(h)).toBe(8.64e15);
      expect(core.nextDeadline()).toBe(8.64e15);
      expect(core.advance(8.64e15 - 1)).toBe(0);
      // Clamped timers tie, so they fire in arming order.
      expect(core.advance(Infinity)).toBe(3);
      expect(popAll(core)).toEqual([a, b, c]);
    });

    test("advance counts only the tasks it enqueued", () => {
      const core = make();
      const [a, b, c, d] = spawnMany(core, 4) as [number, number, number, number];
      core.sleepUntil(a, 1);
      core.sleepUntil(b, 1);
      core.sleepUntil(c, 1);
      core.sleepUntil(d, 1);
      core.sleepUntil(d, 2); // a second timer for d, found already queued
      core.ready(b); // already queued when its timer fires
      core.release(c); // stale when its timer fires
      expect(core.advance(2)).toBe(2);
      expect(core.timerCount()).toBe(0);
      expect(popAll(core)).toEqual([b, a, d]);
      expect(core.wakeups(d)).toBe(1);
    });

    test("a timer whose task was released is dropped silently", () => {
      const core = make();
      const old = core.spawn();
      core.sleepUntil(old, 10);
      core.release(old);
      const fresh = core.spawn(); // reuses the slot: the old timer must not wake it
      expect(fresh & SLOT_MASK).toBe(old & SLOT_MASK);
      expect(core.timerCount()).toBe(1);
      expect(core.advance(10)).toBe(0);
      expect(core.timerCount()).toBe(0);
      expect(core.readyLength()).toBe(0);
      expect(core.wakeups(fresh)).toBe(0);
    });

    test("a task may hold several timers, and each fires on its own", () => {
      const core = make();
      const id = core.spawn();
      const h1 = core.sleepUntil(id, 5);
      const h2 = core.sleepUntil(id, 10);
      expect(h1).not.toBe(h2);
      expect(core.advance(5)).toBe(1);
      expect(core.nextReady()).toBe(id);
      expect(core.advance(10)).toBe(1);
      expect(core.nextReady()).toBe(id);
      expect(core.wakeups(id)).toBe(2);
    });

    test("now may go backwards: advance fires nothing that is not due", () => {
      const core = make();
      const id = core.spawn();
      core.sleepUntil(id, 10);
      expect(core.advance(5)).toBe(0);
      expect(core.advance(-100)).toBe(0);
      expect(core.timerCount()).toBe(1);
    });
  });

  describe("the timer wheel", () => {
    test("fractional deadlines within one millisecond fire in deadline order, ties in arming order", () => {
      const core = make();
      const ids = spawnMany(core, 6);
      const deadlines = [7.5, 7.25, 7.75, 7.25, 7, 7.999];
      ids.forEach((id, i) => core.sleepUntil(id, deadlines[i]!));
      expect(core.advance(8)).toBe(6);
      expect(popAll(core)).toEqual([ids[4], ids[1], ids[3], ids[0], ids[2], ids[5]]);
    });

    test("advancing to a fraction fires only the due part of a millisecond", () => {
      const core = make();
      const [a, b, c] = spawnMany(core, 3) as [number, number, number];
      core.sleepUntil(a, 7.8);
      core.sleepUntil(b, 7.2);
      core.sleepUntil(c, 7.5);
      expect(core.advance(7.5)).toBe(2);
      expect(popAll(core)).toEqual([b, c]);
      expect(core.nextDeadline()).toBe(7.8);
      expect(core.advance(7.79)).toBe(0);
      expect(core.advance(7.8)).toBe(1);
      expect(popAll(core)).toEqual([a]);
    });

    test("timers at every level fire exactly at their deadlines, found by nextDeadline", () => {
      const core = make();
      // Level boundaries (64^L), either side, the end of the first 2^36 ms epoch and past it.
      const deadlines = [
        0,
        1,
        63,
        64,
        65,
        4095,
        4096,
        262_143,
        262_144,
        2 ** 24 - 1,
        2 ** 24,
        2 ** 30,
        2 ** 36 - 1,
        2 ** 36,
        2 ** 36 + 1,
        2 ** 40,
        8.64e15,
      ];
      const ids = spawnMany(core, deadlines.length);
      // Armed in reverse, so arming order never happens to be deadline order.
      for (let i = deadlines.length - 1; i >= 0; i--) core.sleepUntil(ids[i]!, deadlines[i]!);
      const fired: number[] = [];
      for (let now = core.nextDeadline(); now !== Infinity; now = core.nextDeadline()) {
        // Not a moment early (half a millisecond, or the float below at 8.64e15).
        expect(core.advance(now < 2 ** 52 ? now - 0.5 : now - 1)).toBe(0);
        expect(core.advance(now)).toBe(1);
        expect(core.nextReady()).toBe(ids[fired.length]);
        fired.push(now);
      }
      expect(fired).toEqual(deadlines);
    });

    test("a timer that waited in the overflow heap fires before a later one with its deadline", () => {
      const core = make();
      const [a, b, c] = spawnMany(core, 3) as [number, number, number];
      // Beyond the wheel's first 2^36 ms epoch: a goes to the overflow heap (and so does c).
      const far = 2 ** 36 + 5;
      core.sleepUntil(a, far);
      core.sleepUntil(c, 2 ** 36);
      // c is due: the core fires it, and the wheel's time moves into the next epoch...
      expect(core.advance(2 ** 36)).toBe(1);
      expect(core.nextReady()).toBe(c);
      // ... where b, armed later with a's deadline, goes into the wheel.
      core.sleepUntil(b, far);
      expect(core.advance(far)).toBe(2);
      expect(popAll(core)).toEqual([a, b]);
    });

    test("a past deadline armed while the wheel is busy ties with a later one in order", () => {
      const core = make();
      const [a, b, c, d, e, f] = spawnMany(core, 6) as number[] as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      core.sleepUntil(a, 10);
      expect(core.advance(10)).toBe(1); // the wheel's time is 10
      const blocker = core.sleepUntil(b, 20);
      core.sleepUntil(e, 15);
      expect(core.advance(15)).toBe(1); // fires e; b stays in the wheel
      core.sleepUntil(f, 1);
      core.sleepUntil(c, 5);
      // Both are before the wheel's time, which holds b: they go to the overflow heap.
      expect(core.advance(2)).toBe(1);
      core.cancelTimer(blocker);
      expect(core.nextDeadline()).toBe(5); // collects b: the wheel is empty again
      core.sleepUntil(d, 5); // the wheel restarts before 5 and takes d
      expect(core.advance(5)).toBe(2);
      expect(popAll(core)).toEqual([a, e, f, c, d]);
    });

    test("a clock that jumps hours ahead fires every timer in between, in order", () => {
      const core = make();
      const ids = spawnMany(core, 300);
      const random = prng(11);
      const deadlines = ids.map(() => Math.floor(random() * 8 * 3600_000) + random());
      ids.forEach((id, i) => core.sleepUntil(id, deadlines[i]!));
      const order = ids
        .map((id, i) => ({ id, i, d: deadlines[i]! }))
        .sort((x, y) => x.d - y.d || x.i - y.i);
      let fired = 0;
      for (const now of [1, 100, 5000, 3600_000, 3 * 3600_000, 8 * 3600_000]) {
        const due = order.filter((t) => t.d <= now).length - fired;
        expect(core.advance(now)).toBe(due);
        fired += due;
      }
      expect(drainAll(core)).toEqual(order.map((t) => t.id));
    });

    test("nextDeadline stays exact when the earliest timer is cancelled", () => {
      const core = make();
      const [a, b] = spawnMany(core, 2) as [number, number];
      const early = core.sleepUntil(a, 5);
      core.sleepUntil(b, 3000);
      expect(core.nextDeadline()).toBe(5);
      core.cancelTimer(early);
      expect(core.nextDeadline()).toBe(3000);
      expect(core.advance(2999)).toBe(0);
      expect(core.advance(3000)).toBe(1);
      expect(core.nextDeadline()).toBe(Infinity);
    });

    test("many timers cancelled before the core saw them never fire and free their slots", () => {
      const core = make();
      const id = core.spawn();
      const keep: number[] = [];
      // Far more than the pending buffer and the initial table hold.
      for (let i = 0; i < 50_000; i++) {
        const h = core.sleepUntil(id, 1 + (i % 100));
        if (i % 1000 === 0) keep.push(h);
        else core.cancelTimer(h);
      }
      expect(core.timerCount()).toBe(keep.length);
      for (const h of keep) expect(core.timerDeadline(h)).toBe(1);
      expect(core.advance(1000)).toBe(1); // one wake-up: the task is queued once
      expect(core.timerCount()).toBe(0);
    });
  });

  describe("host tokens", () => {
    test("ready takes tokens as they are: no dedup, no liveness, in queue order with ids", () => {
      const core = make();
      const id = core.spawn();
      expect(core.ready(-2)).toBe(true);
      expect(core.ready(id)).toBe(true);
      expect(core.ready(-2)).toBe(true); // again: tokens are never deduplicated
      expect(core.ready(-(2 ** 31))).toBe(true);
      expect(core.ready(NONE)).toBe(false); // -1 is not a token
      expect(core.readyLength()).toBe(4);
      expect(popAll(core)).toEqual([-2, id, -2, -(2 ** 31)]);
    });

    test("a number that is not an i32 is neither a token nor a target", () => {
      const core = make();
      for (const bad of [-(2 ** 31) - 1, -3e9, -2.5, -Infinity]) {
        expect(core.ready(bad)).toBe(false);
        expect(core.arm(bad, 1)).toBe(ERR_STALE);
      }
      expect(core.readyLength()).toBe(0);
      expect(core.timerCount()).toBe(0);
    });

    test("drain hands out tokens in queue order, without counting switches", () => {
      const core = make();
      const [a, b] = spawnMany(core, 2) as [number, number];
      core.batchIn().set([a, -7, b, -7, a]);
      expect(core.readyBatch(5)).toBe(4); // the second a is already queued
      expect(core.drain(10)).toBe(4);
      expect(Array.from(core.batchOut().subarray(0, 4))).toEqual([a, -7, b, -7]);
      expect(core.switches(a)).toBe(1);
    });

    test("a timer for a token fires into the queue in (deadline, arming order) among tasks", () => {
      const core = make();
      const [a, b] = spawnMany(core, 2) as [number, number];
      core.arm(-3, 10);
      core.arm(a, 5);
      core.arm(-4, 5);
      core.arm(b, 10);
      core.arm(-3, 10); // the same token twice: both fire
      expect(core.advance(10)).toBe(5);
      expect(popAll(core)).toEqual([a, -4, -3, b, -3]);
    });

    test("arm takes any target and checks a task only when its timer fires", () => {
      const core = make();
      const [a, b] = spawnMany(core, 2) as [number, number];
      core.release(b);
      const ha = core.arm(a, 1);
      const hb = core.arm(b, 1); // stale already: armed all the same
      expect(hb).toBeGreaterThanOrEqual(0);
      expect(core.timerDeadline(hb)).toBe(1);
      expect(core.arm(NONE, 1)).toBe(ERR_STALE);
      expect(core.arm(a, NaN)).toBe(ERR_DEADLINE);
      expect(core.timerCount()).toBe(2);
      expect(core.advance(1)).toBe(1); // b's timer is dropped: its task is stale
      expect(popAll(core)).toEqual([a]);
      expect(core.disarm(ha)).toBe(false);
      expect(core.disarm(hb)).toBe(false);
    });
  });

  describe("batch forms", () => {
    test("armMany arms from typed arrays and reports errors per entry", () => {
      const core = make();
      const [a, b] = spawnMany(core, 2) as [number, number];
      const handles = new Int32Array(4);
      expect(core.armMany([a, -9, b, NONE], new Float64Array([3, 1, NaN, 2]), handles)).toBe(2);
      expect(handles[2]).toBe(ERR_DEADLINE);
      expect(handles[3]).toBe(ERR_STALE);
      expect(core.timerDeadline(handles[0]!)).toBe(3);
      expect(core.disarm(handles[1]!)).toBe(true);
      expect(core.advance(3)).toBe(1);
      expect(popAll(core)).toEqual([a]);
    });

    test("drainInto drains many batches into one array, no more than it holds", () => {
      const core = make();
      const ids = spawnMany(core, 3000);
      for (const id of ids) core.ready(id);
      const out = new Int32Array(2500);
      expect(core.drainInto(out)).toBe(2500);
      expect(Array.from(out)).toEqual(ids.slice(0, 2500));
      expect(core.drainInto(out, 10)).toBe(10);
      expect(Array.from(out.subarray(0, 10))).toEqual(ids.slice(2500, 2510));
      expect(core.readyLength()).toBe(490);
      expect(core.switches(ids[0]!)).toBe(1);
    });
  });

  describe("counts", () => {
    test("taskCount and timerCount track live tasks and armed timers", () => {
      const core = make();
      expect(core.taskCount()).toBe(0);
      expect(core.timerCount()).toBe(0);
      const ids = spawnMany(core, 10);
      const handles = ids.map((id, i) => core.sleepUntil(id, i));
      expect(core.taskCount()).toBe(10);
      expect(core.timerCount()).toBe(10);
      core.release(ids[0]!);
      core.release(ids[1]!);
      core.cancelTimer(handles[9]!);
      expect(core.taskCount()).toBe(8);
      expect(core.timerCount()).toBe(9);
      expect(core.advance(4)).toBe(3); // deadlines 0..4; tasks 0 and 1 are stale
      expect(core.timerCount()).toBe(4);
      expect(core.taskCount()).toBe(8);
    });
  });

  describe("scale", () => {
    test("one million tasks and one million pending timers fire in deadline order", () => {
      const N = 1_000_000;
      const core = make();
      for (let i = 0; i < N; i++) {
        // Fresh slots, generation 0: the id is the slot.
        if (core.spawn() !== i) throw new Error(`spawn ${i} returned an unexpected id`);
      }
      expect(core.taskCount()).toBe(N);
      const random = prng(42);
      // Integer deadlines with many ties, so the tie-break is exercised at scale too.
      const deadlines = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        deadlines[i] = Math.floor(random() * 100_000);
        if (core.sleepUntil(i, deadlines[i]!) < 0) throw new Error(`sleepUntil ${i} failed`);
      }
      expect(core.timerCount()).toBe(N);
      expect(core.advance(-1)).toBe(0);
      expect(core.advance(100_000)).toBe(N);
      expect(core.timerCount()).toBe(0);
      expect(core.readyLength()).toBe(N);

      let drained = 0;
      let previous = -1;
      let previousDeadline = -Infinity;
      let disorder = 0;
      for (let n = core.drain(N); n > 0; n = core.drain(N)) {
        const out = core.batchOut();
        for (let i = 0; i < n; i++) {
          const id = out[i]!;
          const d = deadlines[id]!;
          // (deadline, arming order): ids were armed in increasing order.
          if (d < previousDeadline || (d === previousDeadline && id < previous)) disorder++;
          previous = id;
          previousDeadline = d;
        }
        drained += n;
      }
      expect(disorder).toBe(0);
      expect(drained).toBe(N);
      expect(core.readyLength()).toBe(0);
      expect(core.switches(0)).toBe(1);
      expect(core.switches(N - 1)).toBe(1);
    });
  });

  describe("capacity", () => {
    test("spawn returns ERR_CAPACITY past MAX_SLOTS live tasks, until one is released", () => {
      const core = make();
      for (let i = 0; i < MAX_SLOTS; i++) core.spawn();
      expect(core.taskCount()).toBe(MAX_SLOTS);
      expect(core.spawn()).toBe(ERR_CAPACITY);
      expect(core.isLive(MAX_SLOTS - 1)).toBe(true);
      expect(core.release(12345)).toBe(true);
      expect(core.spawn()).toBe((1 << SLOT_BITS) | 12345);
      expect(core.spawn()).toBe(ERR_CAPACITY);
    });
  });

  describe("batch views", () => {
    test("batch views still work after the memory grows under them", () => {
      const core = make();
      const outBefore = core.batchOut();
      const inBefore = core.batchIn();
      const buffer = outBefore.buffer;
      const outOffset = outBefore.byteOffset;
      const inOffset = inBefore.byteOffset;
      // 200k tasks double the task table eight times: the wasm memory has to grow.
      const ids = spawnMany(core, 200_000);
      if (core instanceof WasmCore) {
        expect(core.exports.memory.buffer).not.toBe(buffer);
        expect(outBefore.length).toBe(0); // the old view is detached
      }
      const inb = core.batchIn();
      const out = core.batchOut();
      // The buffers have not moved, only the views were re-created.
      expect(inb.byteOffset).toBe(inOffset);
      expect(out.byteOffset).toBe(outOffset);
      expect(inb.length).toBe(BATCH_CAPACITY);
      inb.set([ids[199_999]!, ids[5]!, ids[100_000]!]);
      expect(core.readyBatch(3)).toBe(3);
      expect(core.drain(3)).toBe(3);
      expect(Array.from(core.batchOut().subarray(0, 3))).toEqual([
        ids[199_999],
        ids[5],
        ids[100_000],
      ]);
    });
  });
});
