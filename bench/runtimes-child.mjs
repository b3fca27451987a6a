// One runtime's side of `npm run bench:runtimes` (bench/runtimes.ts): plain JavaScript on the
// built package (dist/), so Node, Bun and Deno run the very same code. Prints one JSON line:
// for each shape and core, the ms of each measured iteration, after checking the result.
//
//   node bench/runtimes-child.mjs ITERATIONS   (bun / deno run -A: the same)

import { createTask, gather, run, sleep } from "../dist/index.js";
import { createCore } from "../dist/core/index.js";

const TASKS = 1000;
const YIELDS = 500; // 500k bare-yield switches
const SLEEPS = 100; // 100k sleep(0)s
const TIMERS = 200_000; // core-level timers armed then fired

function* yielder() {
  for (let i = 0; i < YIELDS; i++) yield;
  return YIELDS;
}
function* sleeper() {
  for (let i = 0; i < SLEEPS; i++) yield* sleep(0);
  return SLEEPS;
}
function* spawnAll(body) {
  const tasks = [];
  for (let i = 0; i < TASKS; i++) tasks.push(createTask(body()));
  return yield* gather(...tasks);
}
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/**
 * Timers at core level: arm TIMERS at scattered deadlines, each for a host token (as the
 * loop's callLater does: no task slot, no deduplication), fire them all, drain the queue.
 */
function coreTimers(kind) {
  const core = createCore(kind);
  let fired = 0;
  for (let i = 0; i < TIMERS; i++) core.arm(-2 - (i % 1000), ((i * 7919) % 10_000) + 1);
  for (let t = 1000; t <= 10_000; t += 1000) {
    fired += core.advance(t);
    while (core.nextReady() !== -1);
  }
  return fired;
}

const shapes = {
  "bare-yield switches": async (core) =>
    sum(await run(() => spawnAll(yielder), { core, clock: "virtual" })) === TASKS * YIELDS,
  "sleep(0)": async (core) =>
    sum(await run(() => spawnAll(sleeper), { core, clock: "virtual" })) === TASKS * SLEEPS,
  "core timers (arm + advance)": async (core) => coreTimers(core) === TIMERS,
};
const WORK = {
  "bare-yield switches": TASKS * YIELDS,
  "sleep(0)": TASKS * SLEEPS,
  "core timers (arm + advance)": TIMERS,
};

const iterations = Number(process.argv[2] ?? 5);
const out = {};
for (const [name, shape] of Object.entries(shapes)) {
  for (const core of ["wasm", "ts"]) {
    for (let i = 0; i < 2; i++)
      if (!(await shape(core))) throw new Error(`${name} on ${core}: wrong result`); // warm-up
    const times = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      const ok = await shape(core);
      times.push(performance.now() - start);
      if (!ok) throw new Error(`${name} on ${core}: wrong result`);
    }
    out[`${name}|${core}`] = times;
  }
}
console.log(JSON.stringify({ work: WORK, times: out }));
