// What a gevent greenlet costs over a bare task: spawn N greenlets that each give the turn
// once and return, then joinAll them — against N createTask + gather, and against real
// gevent doing the same (Python, when /usr/bin/python3 has gevent). A measurement for
// docs/gevent.md, not a shape of `npm run bench`: run it alone.
//
//   npm run build:ts && nice npx tsx bench/gevent-spawn.ts [N] [rounds]
//
// Each round runs every case once, in turn, so load drifts hit them alike; medians are
// reported. Every case checks its result (the sum of the values).

import { execFileSync } from "node:child_process";
import { createTask, gather, run } from "../dist/index.js";
import * as gevent from "../dist/gevent/index.js";

const N = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 7);

function* job(i: number) {
  yield;
  return i;
}

function* viaGevent() {
  const gs = Array.from({ length: N }, (_, i) => gevent.spawn(job, i));
  yield* gevent.joinAll(gs);
  return gs.reduce((a, g) => a + (g.value as number), 0);
}

function* viaTasks() {
  const ts = Array.from({ length: N }, (_, i) => createTask(job(i)));
  const vs = yield* gather(...ts);
  return vs.reduce((a, v) => a + v, 0);
}

const expected = (N * (N - 1)) / 2;
const cases = {
  "gevent-wasm": () => run(viaGevent, { core: "wasm" }),
  "gevent-ts": () => run(viaGevent, { core: "ts" }),
  "tasks-wasm": () => run(viaTasks, { core: "wasm" }),
  "tasks-ts": () => run(viaTasks, { core: "ts" }),
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++)
  for (const [name, f] of Object.entries(cases)) {
    const t0 = performance.now();
    const sum = await f();
    const ms = performance.now() - t0;
    if (sum !== expected) throw new Error(`${name}: sum ${sum}, expected ${expected}`);
    times[name]!.push(ms);
  }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const PY = `
import gevent, time, statistics
N, R = ${N}, ${ROUNDS}
def job(i):
    gevent.sleep(0)
    return i
ts = []
for r in range(R):
    t0 = time.perf_counter()
    gs = [gevent.spawn(job, i) for i in range(N)]
    gevent.joinall(gs)
    ts.append((time.perf_counter() - t0) * 1000)
    assert sum(g.value for g in gs) == N * (N - 1) // 2
print(statistics.median(ts))
`;
function pythonGevent(): number | null {
  try {
    return Number(execFileSync("/usr/bin/python3", ["-c", PY], { encoding: "utf8" }).trim());
  } catch {
    return null; // no Python with gevent here
  }
}
const python = pythonGevent();

console.log(`spawn ${N} greenlets (one turn each) + joinAll, median of ${ROUNDS} rounds:`);
const base = median(times["tasks-wasm"]!);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(
    `  ${name.padEnd(12)} ${m.toFixed(1).padStart(7)} ms  ${((m * 1e6) / N).toFixed(0).padStart(5)} ns/greenlet  ${(base / m).toFixed(2)}× tasks-wasm`,
  );
}
if (python !== null)
  console.log(
    `  ${"gevent (py)".padEnd(12)} ${python.toFixed(1).padStart(7)} ms  ${((python * 1e6) / N).toFixed(0).padStart(5)} ns/greenlet  ${(base / python).toFixed(2)}× tasks-wasm`,
  );
