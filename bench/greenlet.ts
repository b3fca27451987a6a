// Greenlet ping-pong (shape 5b): how close a greenlet switch comes to the fastest control
// transfer JavaScript has, and how far ahead it is of a trip through the scheduler. Run by
// bench/run.ts.
//
// Every implementation passes a token back and forth N times between two parties, adding
// one at each hand-off, and returns the token: N, its check.
//   generators      the raw limit: two generators driven by a `while` loop calling next()
//                   (what a greenlet switch is built from; no checks, no trampoline)
//   spindle-wasm/ts two greenlets, `yield* other.switch(token + 1)`, inside one task
//   queue-wasm/ts   two tasks, each handing the token to the other through a Queue(1): the
//                   kernel's round trip (park, wake, ready queue), as in shape 3
// The queue cases pass fewer tokens (Sizes.queueSwitches): each hand-off costs several
// times more, and ops/s is per hand-off everywhere. The goal for greenlets: at
// least 0.5× the generators' rate.
//
// As in bench/kernel.ts, every implementation builds its case in its own instance of this
// module, so no two share a call site of the benchmark's own code.

import {
  Queue,
  createTask,
  newEventLoop,
  type EventLoop,
  type Instruction,
} from "../dist/index.js";
import { greenlet, type Greenlet } from "../dist/greenlet/index.js";
import type { CoreKind } from "../dist/core/index.js";
import { defineCase, type BenchCase } from "./harness.js";
import { label, type ShapeSpec, type Sizes } from "./plan.js";

export type GreenletImpl = "generators" | "spindle-wasm" | "spindle-ts" | "queue-wasm" | "queue-ts";
export const GREENLET_IMPLS: GreenletImpl[] = [
  "generators",
  "spindle-wasm",
  "spindle-ts",
  "queue-wasm",
  "queue-ts",
];

/** The greenlet shape at sizes `s`. */
export function greenletShapes(s: Sizes): ShapeSpec[] {
  const greenlets = "two greenlets: `v = yield* other.switch(v + 1)`, inside one task";
  const queues =
    `two tasks, two Queue(1): put(v + 1) / get() (${label(s.queueSwitches)} hand-offs: ` +
    "same ops/s per hand-off)";
  return [
    {
      id: "greenlet",
      title: `5b. greenlet ping-pong: ${label(s.switches)} switches`,
      group: "greenlet",
      ops: s.switches,
      unit: "switches",
      baseline: "generators",
      sizes: { switches: s.switches, queueSwitches: s.queueSwitches },
      uses: {
        generators: "the raw limit: two generators, a `while` loop calling next(v) on each in turn",
        "spindle-wasm": greenlets,
        "spindle-ts": greenlets,
        "queue-wasm": queues,
        "queue-ts": queues,
      },
    },
  ];
}

// ── this module instance's state ─────────────────────────────────────────────────────

/** Hand-offs to make, read by the bodies below (no closure per iteration). */
let n = 0;

type Co<T> = Generator<Instruction | undefined, T, unknown>;

// The raw limit.

function* side(): Generator<number, never, number> {
  let v = yield 0;
  for (;;) v = yield v + 1;
}

function generators(): number {
  const a = side();
  const b = side();
  a.next(0);
  b.next(0);
  let v = 0;
  while (v < n) {
    v = a.next(v).value;
    v = b.next(v).value;
  }
  return v;
}

// Greenlets.

let ping: Greenlet;
let pong: Greenlet;

function* pinger(v: number): Generator<unknown, number, unknown> {
  while (v < n) v = (yield* pong.switch(v + 1)) as number;
  return v;
}

function* ponger(v: number): Generator<unknown, never, unknown> {
  for (;;) v = (yield* ping.switch(v + 1)) as number;
}

function* greenletMain(): Co<number> {
  ping = greenlet(pinger);
  pong = greenlet(ponger);
  // main → ping is not a hand-off; ping and pong then make n of them, and ping returns.
  return (yield* ping.switch(0)) as number;
}

// Two tasks through the scheduler.

function* queueSide(mine: Queue<number>, theirs: Queue<number>, first: boolean): Co<number> {
  let v = 0;
  if (first) yield* theirs.put(++v);
  while (v < n - 1) {
    v = yield* mine.get();
    if (v < n) yield* theirs.put(v + 1);
  }
  return v;
}

function* queueMain(): Co<number> {
  const toA = new Queue<number>(1);
  const toB = new Queue<number>(1);
  const b = createTask(queueSide(toB, toA, false));
  const a = yield* queueSide(toA, toB, true);
  const last = yield* b;
  return Math.max(a, last);
}

const loops = new Map<string, EventLoop>();

function loopFor(core: CoreKind): EventLoop {
  let loop = loops.get(core);
  if (loop === undefined) loops.set(core, (loop = newEventLoop({ core })));
  return loop;
}

/** The case of `impl`, from this module instance (see instanceFor). */
export function casesFor(impl: GreenletImpl, s: Sizes): BenchCase[] {
  if (impl === "generators")
    return [
      defineCase({
        shape: "greenlet",
        impl,
        ops: s.switches,
        expect: s.switches,
        run: () => {
          n = s.switches;
          return generators();
        },
      }),
    ];
  const core: CoreKind = impl.endsWith("-wasm") ? "wasm" : "ts";
  const greenlets = impl.startsWith("spindle-");
  const hands = greenlets ? s.switches : s.queueSwitches;
  return [
    defineCase({
      shape: "greenlet",
      impl,
      ops: hands,
      expect: hands,
      async: true,
      setup: () => loopFor(core),
      run: (loop: EventLoop) => {
        n = hands;
        return loop.runUntilComplete(greenlets ? greenletMain : queueMain);
      },
    }),
  ];
}

/** This module again, as a separate instance for `impl`. */
async function instanceFor(impl: GreenletImpl): Promise<typeof import("./greenlet.js")> {
  return (await import(
    `./greenlet.js?impl=${encodeURIComponent(impl)}`
  )) as typeof import("./greenlet.js");
}

/** Every greenlet case, each implementation's from its own module instance. */
export async function greenletCases(s: Sizes, impls = GREENLET_IMPLS): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  for (const impl of impls) cases.push(...(await instanceFor(impl)).casesFor(impl, s));
  return cases;
}
