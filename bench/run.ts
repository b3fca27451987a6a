// `npm run bench`: spindle against native async/await, Effection and Effect (and, for
// timers, Node's setTimeout and tinyqueue), on the wasm core and on its TypeScript twin.
//
//   npm run bench                      the default run: a few minutes
//   npm run bench -- --full            the issue's full sizes, more samples (much longer)
//   npm run bench -- --quick           a smoke run: seconds, small sizes (used by a test)
//   npm run bench -- --only=ping       only the shapes whose id or title contains "ping"
//   npm run bench -- --json            the report as JSON on stdout (tables go to stderr)
//   npm run bench -- --out=<dir>       write the result files there (default bench/results)
//
// HOW. Shapes 0–7 (with 5b) and 10 run in this process, through bench/harness.ts: for each
// shape, every implementation's case is measured in turn, twice, the order reversed the
// second time, and each case checks its result every iteration. Shapes 8 (memory) and 9 (cold start)
// run in fresh child processes on compiled JavaScript (bench/compiled.ts); shapes 10 (the
// executor, bench/executor.ts) run last, on worker threads of this process. A progress line
// on stderr tells where the run is. At the end: a table per shape on stdout (stderr with
// --json), and bench/results/latest.json, latest.md and chart.svg (bench/report.ts).
//
// A shape whose check fails (or that throws) is reported as FAILED, with the error, and the
// run goes on with the others; the exit code is then 1. Figures are never asserted.

import { renameSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { compileTree, type CompiledTree } from "./compiled.js";
import { coldStartShape, runColdStart, COLD_START_IMPLS } from "./cold-start.js";
import { runCases, type BenchCase, type BenchResult, type HarnessOptions } from "./harness.js";
import { greenletCases, greenletShapes } from "./greenlet.js";
import { kernelCases, kernelShapes } from "./kernel.js";
import { memoryShape, runMemory, MEMORY_IMPLS } from "./memory.js";
import {
  budgetFor,
  label,
  selected,
  sizesFor,
  type Mode,
  type ShapeSpec,
  type Sizes,
} from "./plan.js";
import {
  analyse,
  formatReport,
  machineInfo,
  packageVersions,
  toMarkdown,
  toSvg,
  type ImplResult,
  type Report,
  type ShapeResult,
} from "./report.js";
import { timerCases, timerShapes } from "./timers.js";
import { executorCases, executorShapes } from "./executor.js";
// HTTP (issue 10): servers in child processes, the load generator pinned to the other core.
import {
  httpShapes,
  httpSizes,
  HTTP_CLIENT_IMPLS,
  HTTP_SERVER_IMPLS,
  runHttpClient,
  runHttpServer,
} from "./http.js";
// streams
import { runStreams, streamsShapes, streamsSteps } from "./streams.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

// ── the command line ─────────────────────────────────────────────────────────────────

interface Cli {
  mode: Mode;
  json: boolean;
  only: string | undefined;
  out: string;
}

const USAGE = `usage: npm run bench -- [--quick | --full] [--only=<substring>] [--json] [--out=<dir>]`;

function parseArgs(argv: string[]): Cli {
  const cli: Cli = {
    mode: "default",
    json: false,
    only: undefined,
    out: join(ROOT, "bench", "results"),
  };
  for (const arg of argv) {
    if (arg === "--quick" || arg === "--full") {
      if (cli.mode !== "default") fail(`--quick and --full exclude each other`);
      cli.mode = arg === "--quick" ? "quick" : "full";
    } else if (arg === "--json") cli.json = true;
    else if (arg.startsWith("--only=")) cli.only = arg.slice("--only=".length);
    else if (arg.startsWith("--out=")) cli.out = resolve(arg.slice("--out=".length));
    else if (arg === "--help" || arg === "-h") {
      process.stderr.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  return cli;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** How this run was started, for the reports. */
function commandLine(args: string[]): string {
  const rest = args.length > 0 ? ` -- ${args.join(" ")}` : "";
  if (process.env["npm_lifecycle_event"] === "bench") return `npm run bench${rest}`;
  return `tsx bench/run.ts${args.length > 0 ? ` ${args.join(" ")}` : ""}`;
}

/** A full GC between cases (the harness calls gc() when there is one), without a flag. */
function exposeGc(): void {
  const g = globalThis as { gc?: () => void };
  if (typeof g.gc === "function") return;
  setFlagsFromString("--expose-gc");
  g.gc = runInNewContext("gc") as () => void;
}

// ── progress on stderr ───────────────────────────────────────────────────────────────

class Progress {
  private done = 0;
  private readonly start = performance.now();
  private readonly tty = process.stderr.isTTY === true;
  constructor(private readonly total: number) {}

  step(what: string): void {
    this.done++;
    const s = Math.round((performance.now() - this.start) / 1000);
    const clock = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    const line = `[${this.done}/${this.total}] ${clock} ${what} …`;
    if (this.tty)
      process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 100) - 1)}`);
    else process.stderr.write(`${line}\n`);
  }

  /** Counts steps that will not run (a failed shape's remaining cases). */
  skip(n: number): void {
    this.done += n;
  }

  end(): void {
    if (this.tty) process.stderr.write("\r\x1b[K");
  }
}

// ── running ──────────────────────────────────────────────────────────────────────────

function settingsText(mode: Mode, h: HarnessOptions, s: Sizes): string {
  const harness =
    mode === "quick"
      ? "--quick: 1 sample per case, smoke sizes — NOT a measurement"
      : `≥${h.iterations} samples and ≥${h.time} ms per case per round, ${h.rounds} rounds ` +
        `(order reversed in the second), warm-up in the first`;
  const sizes = [
    `yields ${label(s.yieldTasks)}×${s.yieldsPerTask}`,
    `chain ${label(s.chain)}`,
    `ping-pong ${label(s.roundTrips)}`,
    `sleep(0) ${label(s.sleepTasks)}×${s.sleepsPerTask}`,
    `cancel ${label(s.cancelTasks)}`,
    `greenlet ${label(s.switches)} (queue ${label(s.queueSwitches)})`,
    `timers ${label(s.timers)}`,
    `timer cancel ${label(s.cancelTimers)}`,
    `memory ${label(s.memoryTasks)} × ${s.memoryProcesses} process(es)`,
    `cold start ${s.coldStarts} processes`,
    `executor ${label(s.executorJobs)} jobs`,
  ];
  return `${mode}: ${harness}; sizes: ${sizes.join(", ")}`;
}

function fromHarness(spec: ShapeSpec, results: BenchResult[], cases: BenchCase[]): ShapeResult {
  const impls: ImplResult[] = results.map((r, i) => ({
    impl: r.impl,
    median: r.medianMs,
    samples: r.samples,
    opsPerSec: r.opsPerSec,
    setupMedianMs: r.setupMedianMs,
    setupSamples: r.setupSamples,
    vs: null,
    check: r.check,
    expect: cases[i]!.expect,
    extra: {},
  }));
  return {
    ...spec,
    kind: "throughput",
    metric: `ms per iteration (${spec.ops.toLocaleString("en-US")} ${spec.unit}), median`,
    results: impls,
    wasmTs: [],
    findings: [],
    flagged: [],
    error: null,
  };
}

function failed(spec: ShapeSpec, kind: ShapeResult["kind"], e: unknown): ShapeResult {
  return {
    ...spec,
    kind,
    metric: "",
    results: [],
    wasmTs: [],
    findings: [],
    flagged: [],
    error: e instanceof Error ? e.message : String(e),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const cli = parseArgs(args);
  if (cli.json) console.log = (...a: unknown[]) => console.error(...a); // stdout is the JSON's
  exposeGc();
  const t0 = performance.now();
  const sizes = sizesFor(cli.mode);
  const harness = budgetFor(cli.mode);
  const rounds = harness.rounds ?? 1;

  const throughput = [
    ...kernelShapes(sizes),
    ...greenletShapes(sizes),
    ...timerShapes(sizes),
  ].filter((s) => selected(s, cli.only));
  // The executor's shapes run last, after the child processes: their worker threads would
  // otherwise sit in this process while the memory and cold-start children are measured.
  const executor = executorShapes(sizes).filter((s) => selected(s, cli.only));
  const memory = selected(memoryShape(sizes), cli.only) ? memoryShape(sizes) : null;
  const cold = selected(coldStartShape(sizes), cli.only) ? coldStartShape(sizes) : null;
  // HTTP shapes (bench/http.ts).
  const http = httpShapes(cli.mode).filter((s) => selected(s, cli.only));
  // streams: echo server and clients, in child processes (bench/streams.ts)
  const streams = streamsShapes(cli.mode).filter((s) => selected(s, cli.only));
  if (
    throughput.length === 0 &&
    executor.length === 0 &&
    memory === null &&
    cold === null &&
    http.length === 0 &&
    streams.length === 0
  )
    fail(`--only=${cli.only} matches no shape`);

  const cases: BenchCase[] = [];
  if (throughput.some((s) => s.group === "kernel")) cases.push(...(await kernelCases(sizes)));
  if (throughput.some((s) => s.group === "greenlet")) cases.push(...(await greenletCases(sizes)));
  if (throughput.some((s) => s.group === "timers")) cases.push(...(await timerCases(sizes)));
  if (executor.length > 0) cases.push(...(await executorCases(sizes)));
  const casesOf = (spec: ShapeSpec) => cases.filter((c) => c.shape === spec.id);
  const total =
    [...throughput, ...executor].reduce((n, s) => n + casesOf(s).length * rounds, 0) +
    (memory !== null ? MEMORY_IMPLS.length * sizes.memoryProcesses : 0) +
    (cold !== null ? COLD_START_IMPLS.length * (sizes.coldStarts + 1) : 0) +
    http.reduce(
      (n, s) =>
        n +
        (s.id === "http-server"
          ? HTTP_SERVER_IMPLS.length * (httpSizes(cli.mode).rounds + 1)
          : HTTP_CLIENT_IMPLS.length * httpSizes(cli.mode).rounds),
      0,
    ) +
    streamsSteps(cli.mode, streams);
  const progress = new Progress(total);

  const shapes: ShapeResult[] = [];
  const measureShapes = async (specs: ShapeSpec[]): Promise<void> => {
    for (const spec of specs) {
      const group = casesOf(spec);
      let steps = 0;
      try {
        const results = await runCases(spec.group, group, harness, {
          onCase: ({ case: c, round }) => {
            steps++;
            progress.step(`${spec.id} · ${c.impl}${rounds > 1 ? ` (round ${round + 1})` : ""}`);
          },
        });
        shapes.push(fromHarness(spec, results, group));
      } catch (e) {
        progress.skip(group.length * rounds - steps);
        shapes.push(failed(spec, "throughput", e));
      }
    }
  };
  await measureShapes(throughput);

  if (memory !== null || cold !== null) {
    let tree: CompiledTree | undefined;
    try {
      tree = compileTree();
      if (memory !== null) {
        try {
          shapes.push(
            await runMemory(sizes, tree, (impl, k) =>
              progress.step(`memory · ${impl}${sizes.memoryProcesses > 1 ? ` #${k + 1}` : ""}`),
            ),
          );
        } catch (e) {
          shapes.push(failed(memory, "memory", e));
        }
      }
      if (cold !== null) {
        try {
          shapes.push(
            await runColdStart(sizes, tree, (impl, k) =>
              progress.step(`cold-start · ${impl} ${k < 0 ? "(untimed)" : `#${k + 1}`}`),
            ),
          );
        } catch (e) {
          shapes.push(failed(cold, "cold-start", e));
        }
      }
    } finally {
      tree?.dispose();
    }
  }
  // HTTP: before the executor's worker threads exist in this process.
  for (const spec of http) {
    try {
      const step = (what: string): void => progress.step(what);
      shapes.push(
        spec.id === "http-server"
          ? await runHttpServer(cli.mode, step)
          : await runHttpClient(cli.mode, step),
      );
    } catch (e) {
      shapes.push(failed(spec, "throughput", e));
    }
  }
  // streams
  if (streams.length > 0) {
    try {
      shapes.push(...(await runStreams(cli.mode, streams, (what) => progress.step(what))));
    } catch (e) {
      for (const spec of streams) shapes.push(failed(spec, "throughput", e));
    }
  }
  await measureShapes(executor);
  progress.end();

  for (const s of shapes) if (s.error === null) analyse(s);
  const report: Report = {
    schema: "spindle-bench/1",
    date: new Date().toISOString(),
    command: commandLine(args),
    mode: cli.mode,
    only: cli.only ?? null,
    durationMs: performance.now() - t0,
    machine: machineInfo(),
    versions: packageVersions(),
    settings: { harness, sizes, text: settingsText(cli.mode, harness, sizes) },
    shapes,
    ok: shapes.every((s) => s.error === null),
  };
  writeResults(cli.out, report);

  const table = formatReport(report);
  if (cli.json) {
    process.stderr.write(`${table}\n`);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`${table}\n\nwrote ${cli.out}/latest.{json,md} and chart.svg\n`);
  }
  if (!report.ok) process.exitCode = 1;
}

/**
 * The report as indented JSON with each array of numbers (the samples) on one line: a
 * fast shape has tens of thousands of samples, one line each made latest.json 56k lines.
 */
function reportJson(report: Report): string {
  return JSON.stringify(report, null, 2).replace(
    /\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g,
    (_, items: string) => `[${items.replace(/,\s+/g, ", ")}]`,
  );
}

/** latest.json (written whole, then renamed: a reader never sees half a file), .md, .svg. */
function writeResults(dir: string, report: Report): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, "latest.tmp.json");
  writeFileSync(tmp, `${reportJson(report)}\n`);
  renameSync(tmp, join(dir, "latest.json"));
  writeFileSync(join(dir, "latest.md"), `${toMarkdown(report)}\n`);
  writeFileSync(join(dir, "chart.svg"), toSvg(report));
}

await main();
