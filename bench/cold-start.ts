// Shape 9: cold start. Many fresh Node processes per implementation (bench/cold-start-child.ts,
// compiled: see bench/compiled.ts), each importing the library and running its first task
// (one turn, then return 1). The headline is the median time from process start to that
// first task's completion (performance.now() in the child: its origin is the process's
// start); the import alone and the wall time the parent saw (spawn to exit) are reported
// beside it.
//
// The processes of the implementations are interleaved (one of each per round, the order
// reversed every other round), so a burst of load on the machine lands on all of them.
// Each implementation first gets one untimed process, which fills the OS file cache: this
// measures a cold process, not a cold disk. spindle's children load what a user's
// `import "spindle"` loads on Node: the bundle in dist/node/ (scripts/bundle.mjs).

import { spawn } from "node:child_process";
import { median } from "./harness.js";
import type { CompiledTree } from "./compiled.js";
import type { ColdStartReport } from "./cold-start-child.js";
import type { ShapeSpec, Sizes } from "./plan.js";
import type { ImplResult, ShapeResult } from "./report.js";

/**
 * What `import "spindle"` loads on Node: the package's bundle (package.json exports, the
 * `node` condition; built by npm run build, which npm run bench runs first).
 */
const SPINDLE_ENTRY = new URL("../dist/node/index.js", import.meta.url).href;

export const COLD_START_IMPLS = ["spindle-wasm", "spindle-ts", "native", "effection", "effect"];

export function coldStartShape(s: Sizes): ShapeSpec {
  return {
    id: "cold-start",
    title: "9. cold start: process start → first task done",
    group: "cold-start",
    ops: 1,
    unit: "starts",
    baseline: "native",
    sizes: { processes: s.coldStarts },
    uses: {
      "spindle-wasm":
        'import spindle; await run(function* () { yield; return 1 }, { core: "wasm" })',
      "spindle-ts": 'import spindle; await run(function* () { yield; return 1 }, { core: "ts" })',
      native: "await (async () => { await null; return 1 })()",
      effection: "import effection; await run(function* () { yield* turn; return 1 })",
      effect: "import effect; await Effect.runPromise(Effect.gen(yieldNow, return 1))",
    },
  };
}

/** Runs one child; resolves with its report and the wall time the parent saw. */
function runChild(script: string, impl: string): Promise<{ r: ColdStartReport; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const args = impl.startsWith("spindle") ? [script, impl, SPINDLE_ENTRY] : [script, impl];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) {
        reject(new Error(`cold-start child ${impl} exited with ${code}: ${err}`));
        return;
      }
      try {
        resolve({ r: JSON.parse(out.trim()) as ColdStartReport, wallMs });
      } catch {
        reject(new Error(`cold-start child ${impl} printed no report: ${out}\n${err}`));
      }
    });
  });
}

/** Measures every implementation in `impls`, `s.coldStarts` processes each (interleaved). */
export async function runColdStart(
  s: Sizes,
  tree: CompiledTree,
  onChild: (impl: string, k: number) => void,
  impls = COLD_START_IMPLS,
): Promise<ShapeResult> {
  const spec = coldStartShape(s);
  const script = tree.script("cold-start-child");
  const runs = new Map<string, { r: ColdStartReport; wallMs: number }[]>(impls.map((i) => [i, []]));
  for (const impl of impls) {
    onChild(impl, -1);
    await runChild(script, impl); // untimed: warms the file cache
  }
  for (let k = 0; k < s.coldStarts; k++) {
    const order = k % 2 === 0 ? impls : [...impls].reverse();
    for (const impl of order) {
      onChild(impl, k);
      const run = await runChild(script, impl);
      if (run.r.result !== 1)
        throw new Error(`cold start ${impl}: check failed: first task returned ${run.r.result}`);
      runs.get(impl)!.push(run);
    }
  }
  const results: ImplResult[] = impls.map((impl) => {
    const rs = runs.get(impl)!;
    const first = rs.map((x) => x.r.firstTask).sort((a, b) => a - b);
    return {
      impl,
      median: median(first),
      samples: first,
      opsPerSec: null,
      setupMedianMs: 0,
      setupSamples: [],
      vs: null,
      check: rs.map((x) => x.r.result),
      expect: rs.map(() => 1),
      extra: {
        nodeStartMs: median(rs.map((x) => x.r.started)),
        importMs: median(rs.map((x) => x.r.imported - x.r.started)),
        firstTaskAfterImportMs: median(rs.map((x) => x.r.firstTask - x.r.imported)),
        wallMs: median(rs.map((x) => x.wallMs)),
      },
    };
  });
  return {
    ...spec,
    kind: "cold-start",
    metric: "ms from process start to the first task's completion (median over processes)",
    results,
    wasmTs: [],
    findings: [],
    flagged: [],
    error: null,
  };
}
