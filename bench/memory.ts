// Shape 8: memory per suspended task. For each implementation, a fresh Node process
// (bench/memory-child.ts, compiled: see bench/compiled.ts) parks N tasks in a long sleep and
// reports how much its RSS and its heap grew, after full GCs. One process per
// implementation and repetition, so no implementation measures another's garbage; the
// figure is the median over the repetitions (one in every mode: the numbers barely move).
//
// Reported per task: RSS (what the OS gives the process: the headline, as it counts wasm
// linear memory and V8 heap alike) and heap+external (V8's heapUsed plus memory outside the
// V8 heap, which holds the wasm core's linear memory). The check: every task reached its
// sleep and all N were still alive when the memory was read.

import { execFile } from "node:child_process";
import { median } from "./harness.js";
import type { CompiledTree } from "./compiled.js";
import type { MemoryReport } from "./memory-child.js";
import { label, type ShapeSpec, type Sizes } from "./plan.js";
import type { ImplResult, ShapeResult } from "./report.js";

export const MEMORY_IMPLS = ["spindle-wasm", "spindle-ts", "native", "effection", "effect"];

export function memoryShape(s: Sizes): ShapeSpec {
  return {
    id: "memory",
    title: `8. memory: ${label(s.memoryTasks)} sleeping tasks, per task`,
    group: "memory",
    ops: s.memoryTasks,
    unit: "tasks",
    baseline: "native",
    sizes: { tasks: s.memoryTasks, processes: s.memoryProcesses },
    uses: {
      "spindle-wasm": "loop.createTask(function* () { yield* sleep(1e9) }), Task kept",
      "spindle-ts": "loop.createTask(function* () { yield* sleep(1e9) }), Task kept",
      native: "async fn awaiting new Promise(r => setTimeout(r, 1e9)), Promise kept",
      effection: "createScope(); scope.run(function* () { yield* sleep(1e9) }), Task kept",
      effect: "Effect.runFork(Effect.sleep(1e9)), Fiber kept",
    },
  };
}

/** Runs one child; resolves with its report, rejects with its stderr. */
function runChild(
  script: string,
  impl: string,
  n: number,
  timeoutMs: number,
): Promise<MemoryReport> {
  const args = ["--expose-gc", "--max-old-space-size=16384", script, impl, String(n)];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { timeout: timeoutMs, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`memory child ${impl} failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout.trim().split("\n").pop()!) as MemoryReport);
        } catch {
          reject(new Error(`memory child ${impl} printed no report: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/**
 * Measures every implementation in `impls`, `s.memoryProcesses` fresh processes each.
 * Throws if a child fails or its check does not hold.
 */
export async function runMemory(
  s: Sizes,
  tree: CompiledTree,
  onChild: (impl: string, k: number) => void,
  impls = MEMORY_IMPLS,
): Promise<ShapeResult> {
  const spec = memoryShape(s);
  const n = s.memoryTasks;
  const timeoutMs = 60_000 + n * 0.5; // Effection: ~160 s for 1M tasks on a 2-core machine
  const results: ImplResult[] = [];
  for (const impl of impls) {
    const reports: MemoryReport[] = [];
    for (let k = 0; k < s.memoryProcesses; k++) {
      onChild(impl, k);
      const r = await runChild(tree.script("memory-child"), impl, n, timeoutMs);
      if (r.entered !== n || r.live !== n)
        throw new Error(
          `memory ${impl}: check failed: ${r.entered} of ${n} tasks reached their sleep, ` +
            `${r.live} alive (expected ${n} and ${n})`,
        );
      reports.push(r);
    }
    const rss = reports.map((r) => r.delta.rss / n).sort((a, b) => a - b);
    const heap = reports.map((r) => (r.delta.heapUsed + r.delta.external) / n);
    results.push({
      impl,
      median: median(rss),
      samples: rss,
      opsPerSec: null,
      setupMedianMs: 0,
      setupSamples: [],
      vs: null,
      check: [reports[0]!.entered, reports[0]!.live],
      expect: [n, n],
      extra: {
        heapPerTask: median(heap),
        heapUsedPerTask: median(reports.map((r) => r.delta.heapUsed / n)),
        externalPerTask: median(reports.map((r) => r.delta.external / n)),
        live: reports[0]!.live,
        spawnMs: median(reports.map((r) => r.spawnMs)),
      },
    });
  }
  return {
    ...spec,
    kind: "memory",
    metric: "bytes of RSS per sleeping task (median over processes)",
    results,
    wasmTs: [],
    findings: [],
    flagged: [],
    error: null,
  };
}
