// The suite's report: one data model (Report), and its three renderings — the terminal
// tables, bench/results/latest.md and bench/results/chart.svg — plus latest.json, the model
// itself. Nothing here measures; nothing here changes a figure. Where spindle (or its wasm
// core) loses, the findings say so in words, whatever the margin.
//
// Ratios. `vs` is always median / baseline median, for time and for memory alike: below 1,
// the implementation is faster (or smaller) than the baseline. The tables spell it out
// ("2.10× faster", "1.35× slower"). wasm/ts is the wasm median over the ts median, for each
// pair that has both (spindle-wasm/spindle-ts, core-wasm/core-ts).

import { cpus, totalmem, type, release, arch } from "node:os";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { HarnessOptions } from "./harness.js";
import type { Mode, ShapeSpec, Sizes } from "./plan.js";

/** What one implementation measured on one shape. */
export interface ImplResult {
  impl: string;
  /** Median of `samples`, in the shape's metric (ms, or bytes per task). */
  median: number;
  /** Every sample, in the shape's metric, sorted ascending. */
  samples: number[];
  /** Throughput shapes: `ops` per second at the median. */
  opsPerSec: number | null;
  /** Median setup time in ms, timed apart from the run (0: no setup). */
  setupMedianMs: number;
  setupSamples: number[];
  /** median / the baseline's median; null for the baseline itself or without one. */
  vs: number | null;
  /** What the run returned, and what it had to return. */
  check: unknown;
  expect: unknown;
  /** Secondary figures (memory: heap per task, live tasks; cold start: import ms, …). */
  extra: Record<string, number>;
}

export type ShapeKind = "throughput" | "memory" | "cold-start";

export interface WasmTs {
  wasm: string;
  ts: string;
  /** wasm median / ts median: below 1, wasm wins. */
  ratio: number;
}

/** One shape: its description, every implementation's result, and what they show. */
export interface ShapeResult extends ShapeSpec {
  kind: ShapeKind;
  /** What `median` is, e.g. "ms per iteration". */
  metric: string;
  results: ImplResult[];
  wasmTs: WasmTs[];
  /** Plain-words findings where spindle or its wasm core loses. */
  findings: string[];
  /** The implementations those findings are about (marked ⚠ in the chart). */
  flagged: string[];
  /** Set when a check failed or a case threw: the shape's figures are not to be trusted. */
  error: string | null;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryBytes: number;
  os: string;
  arch: string;
  node: string;
  v8: string;
}

/** How the run measured: the harness budget and the sizes, and both in one line of text. */
export interface Settings {
  harness: HarnessOptions;
  sizes: Sizes;
  text: string;
}

export interface Report {
  schema: "spindle-bench/1";
  date: string;
  command: string;
  mode: Mode;
  only: string | null;
  durationMs: number;
  machine: Machine;
  versions: Record<string, string>;
  settings: Settings;
  shapes: ShapeResult[];
  /** True when every case's check passed and nothing threw. */
  ok: boolean;
}

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export function machineInfo(): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    memoryBytes: totalmem(),
    os: `${type()} ${release()}`,
    arch: arch(),
    node: process.version,
    v8: process.versions.v8,
  };
}

/** Versions of spindle and of every package the suite measures or measures with. */
export function packageVersions(): Record<string, string> {
  const read = (path: string): string => {
    try {
      return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
    } catch {
      return "unknown";
    }
  };
  const out: Record<string, string> = { spindle: read(`${ROOT}package.json`) };
  for (const name of ["effection", "effect", "tinybench", "tinyqueue", "typescript"])
    out[name] = read(`${ROOT}node_modules/${name}/package.json`);
  return out;
}

// ── analysis ─────────────────────────────────────────────────────────────────────────

/** Pairs of implementations whose ratio is a headline: the same thing on wasm and on ts. */
const WASM_TS_PAIRS: [string, string][] = [
  ["spindle-wasm", "spindle-ts"],
  ["core-wasm", "core-ts"],
];

/** Within this ratio a loss is reported, and marked as inside run-to-run noise. */
const NOISE = 1.05;

function isSpindle(impl: string): boolean {
  return impl.startsWith("spindle-") || impl.startsWith("core-");
}

/**
 * Fills in a shape's ratios and findings from its results (vs baseline, wasm/ts, and a
 * sentence for every loss of spindle or of the wasm core).
 */
export function analyse(shape: ShapeResult): ShapeResult {
  const base = shape.results.find((r) => r.impl === shape.baseline);
  // Time per operation, not per iteration: a baseline may run fewer operations per
  // iteration (setTimeout's timers), so medians alone would compare unequal work.
  const perOp = (r: { median: number; opsPerSec: number | null }): number =>
    r.opsPerSec !== null && r.opsPerSec > 0 ? 1 / r.opsPerSec : r.median;
  for (const r of shape.results) {
    r.vs = base !== undefined && r !== base && base.median > 0 ? perOp(r) / perOp(base) : null;
  }
  const get = (impl: string) => shape.results.find((r) => r.impl === impl);
  shape.wasmTs = [];
  for (const [w, t] of WASM_TS_PAIRS) {
    const a = get(w);
    const b = get(t);
    if (a !== undefined && b !== undefined && b.median > 0)
      shape.wasmTs.push({ wasm: w, ts: t, ratio: a.median / b.median });
  }
  const memory = shape.kind === "memory";
  const worse = memory ? "uses more memory per task than" : "slower than";
  const times = (ratio: number) => `${fmtRatio(ratio)}× the ${memory ? "memory" : "time"}`;
  const findings: string[] = [];
  const flagged = new Set<string>();
  for (const p of shape.wasmTs) {
    if (p.ratio > 1) {
      findings.push(`⚠ wasm ${worse} ts: ${p.wasm} takes ${times(p.ratio)} of ${p.ts}${noise(p)}`);
      flagged.add(p.wasm);
    }
  }
  for (const r of shape.results) {
    if (isSpindle(r.impl) && r.vs !== null && r.vs > 1) {
      findings.push(`⚠ ${r.impl} ${worse} ${shape.baseline}: ${times(r.vs)}`);
      flagged.add(r.impl);
    }
  }
  shape.findings = findings;
  shape.flagged = [...flagged];
  return shape;
}

/** A ratio: two decimals, three when it is within 1% of even (so 1.003 does not read 1.00). */
export function fmtRatio(r: number): string {
  return Math.abs(r - 1) < 0.01 ? r.toFixed(3) : r.toFixed(2);
}

function noise(p: WasmTs): string {
  return p.ratio <= NOISE ? " (within 5%: run-to-run noise on this machine)" : "";
}

// ── formatting ───────────────────────────────────────────────────────────────────────

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 0.001) return `${(ms * 1000).toPrecision(3)} µs`;
  return `${(ms * 1e6).toPrecision(3)} ns`;
}

export function fmtRate(perSec: number): string {
  if (!Number.isFinite(perSec)) return String(perSec);
  if (perSec >= 1e9) return `${(perSec / 1e9).toFixed(2)} G`;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)} M`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k`;
  return perSec.toFixed(1);
}

export function fmtBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(2)} KiB`;
  return `${bytes.toFixed(0)} B`;
}

/** "2.10× faster", "1.35× slower", "1.00×" — or for memory "smaller" / "larger". */
export function fmtVs(vs: number | null, kind: ShapeKind): string {
  if (vs === null) return "baseline";
  const [better, worse] = kind === "memory" ? ["smaller", "larger"] : ["faster", "slower"];
  if (vs < 1) return `${(1 / vs).toFixed(2)}× ${better}`;
  if (vs > 1) return `${vs.toFixed(2)}× ${worse}`;
  return "1.00×";
}

function fmtMedian(shape: ShapeResult, r: ImplResult): string {
  return shape.kind === "memory" ? fmtBytes(r.median) : fmtMs(r.median);
}

/** The columns of one shape's table, header first. */
function tableRows(shape: ShapeResult): string[][] {
  if (shape.kind === "memory") {
    const header = ["impl", "RSS/task", `vs ${shape.baseline}`, "heap+ext/task", "live", "check"];
    return [
      header,
      ...shape.results.map((r) => [
        r.impl,
        fmtBytes(r.median),
        fmtVs(r.vs, shape.kind),
        fmtBytes(r.extra["heapPerTask"] ?? NaN),
        String(r.extra["live"] ?? ""),
        "ok",
      ]),
    ];
  }
  if (shape.kind === "cold-start") {
    const header = ["impl", "first task", `vs ${shape.baseline}`, "import", "wall", "n", "check"];
    return [
      header,
      ...shape.results.map((r) => [
        r.impl,
        fmtMs(r.median),
        fmtVs(r.vs, shape.kind),
        fmtMs(r.extra["importMs"] ?? NaN),
        fmtMs(r.extra["wallMs"] ?? NaN),
        String(r.samples.length),
        "ok",
      ]),
    ];
  }
  const header = [
    "impl",
    "median",
    `${shape.unit}/s`,
    `vs ${shape.baseline}`,
    "setup",
    "n",
    "check",
  ];
  return [
    header,
    ...shape.results.map((r) => [
      r.impl,
      fmtMedian(shape, r),
      r.opsPerSec === null ? "-" : fmtRate(r.opsPerSec),
      fmtVs(r.vs, shape.kind),
      r.setupMedianMs > 0 ? fmtMs(r.setupMedianMs) : "-",
      String(r.samples.length),
      "ok",
    ]),
  ];
}

function wasmTsLine(p: WasmTs, kind: ShapeKind): string {
  const who = p.wasm.replace(/-wasm$/, "");
  const [better, worse] = kind === "memory" ? ["smaller", "larger"] : ["faster", "slower"];
  const verdict =
    p.ratio < 1
      ? `wasm ${(1 / p.ratio).toFixed(2)}× ${better}`
      : p.ratio > 1
        ? `⚠ wasm ${worse} than ts (${fmtRatio(p.ratio)}×)`
        : "even";
  return `wasm/ts (${who}) = ${fmtRatio(p.ratio)}  ${verdict}`;
}

/** What a shape's `median` is, for the heading line. */
function subtitle(shape: ShapeResult): string {
  const sizes = Object.entries(shape.sizes)
    .map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`)
    .join(", ");
  return `${shape.metric}; ${sizes}`;
}

/** One shape as aligned text: heading, table, wasm/ts ratios, findings. */
export function formatShape(shape: ShapeResult): string {
  const lines = [`${shape.title}`, `  ${subtitle(shape)}`];
  if (shape.error !== null) {
    lines.push(`  ✗ FAILED: ${shape.error}`);
    return lines.join("\n");
  }
  const rows = tableRows(shape);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const left = new Set([0]);
  for (const [k, row] of rows.entries()) {
    const cells = row.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)));
    lines.push(`  ${cells.join("  ")}`);
    if (k === 0) lines.push(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
  }
  for (const p of shape.wasmTs) lines.push(`  ${wasmTsLine(p, shape.kind)}`);
  for (const f of shape.findings) if (!f.startsWith("⚠ wasm")) lines.push(`  ${f}`);
  return lines.join("\n");
}

/** The whole terminal report. */
export function formatReport(report: Report): string {
  const m = report.machine;
  const head = [
    `spindle benchmarks — ${report.mode}${report.only !== null ? `, --only=${report.only}` : ""}`,
    `${m.cpu}, ${m.cores} cores, ${fmtBytes(m.memoryBytes)}; ${m.os} ${m.arch}; Node ${m.node}`,
    `${report.settings.text}`,
    `ratios: median / baseline median, spelled out ("2.00× faster"); wasm/ts below 1: wasm wins`,
  ];
  const body = report.shapes.map(formatShape);
  const tail = [
    `${report.ok ? "every check passed" : "✗ SOME CHECKS FAILED: see above"}; ` +
      `took ${(report.durationMs / 1000).toFixed(0)} s`,
  ];
  return [...head, "", body.join("\n\n"), "", ...tail].join("\n");
}

// ── markdown ─────────────────────────────────────────────────────────────────────────

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|");
}

export function toMarkdown(report: Report): string {
  const m = report.machine;
  const v = report.versions;
  const out: string[] = [
    "# spindle benchmark results",
    "",
    `- date: ${report.date}`,
    `- command: \`${report.command}\` (mode: ${report.mode}${report.only !== null ? `, only: ${report.only}` : ""})`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${fmtBytes(m.memoryBytes)} RAM; ${m.os} ${m.arch}`,
    `- Node ${m.node} (V8 ${m.v8}); spindle ${v["spindle"]}, effection ${v["effection"]}, ` +
      `effect ${v["effect"]}, tinybench ${v["tinybench"]}, tinyqueue ${v["tinyqueue"]}`,
    `- ${report.settings.text}`,
    `- took ${(report.durationMs / 1000).toFixed(0)} s; ${report.ok ? "every check passed" : "**some checks FAILED**"}`,
    "",
    "Ratios are median / baseline median, spelled out (“2.00× faster”). wasm/ts is the wasm " +
      "median over the ts median: below 1, the WebAssembly core wins. See " +
      "[docs/benchmarks.md](../../docs/benchmarks.md) for what each shape measures.",
    "",
  ];
  const findings = report.shapes.flatMap((s) => s.findings.map((f) => `- ${s.title}: ${f}`));
  out.push("## Where spindle loses", "");
  out.push(...(findings.length > 0 ? findings : ["- nowhere in this run"]), "");
  const pairs = report.shapes.flatMap((s) =>
    s.wasmTs.map(
      (p) => `| ${mdEscape(s.title)} | ${p.wasm.replace(/-wasm$/, "")} | ${fmtRatio(p.ratio)} |`,
    ),
  );
  if (pairs.length > 0)
    out.push("## wasm/ts", "", "| shape | level | wasm/ts |", "|---|---|---:|", ...pairs, "");
  out.push("## Shapes", "");
  for (const s of report.shapes) {
    out.push(`### ${s.title}`, "", `${subtitle(s)}.`, "");
    if (s.error !== null) {
      out.push(`**FAILED**: ${s.error}`, "");
      continue;
    }
    const rows = tableRows(s);
    const header = [...rows[0]!, "uses"];
    out.push(`| ${header.map(mdEscape).join(" | ")} |`);
    out.push(
      `|${header.map((_, i) => (i === 0 || i === header.length - 1 ? "---" : "---:")).join("|")}|`,
    );
    for (const [k, row] of rows.slice(1).entries()) {
      const uses = s.uses[s.results[k]!.impl] ?? "";
      out.push(`| ${[...row, uses].map(mdEscape).join(" | ")} |`);
    }
    out.push("");
    for (const p of s.wasmTs) out.push(`- ${wasmTsLine(p, s.kind)}`);
    for (const f of s.findings) if (!f.startsWith("⚠ wasm")) out.push(`- ${f}`);
    if (s.wasmTs.length > 0 || s.findings.length > 0) out.push("");
  }
  return out.join("\n");
}

// ── SVG ──────────────────────────────────────────────────────────────────────────────

/** A color per implementation (Okabe–Ito: readable by color-blind readers). */
const COLORS: Record<string, string> = {
  "spindle-wasm": "#0072B2",
  "spindle-ts": "#56B4E9",
  "core-wasm": "#009E73",
  "core-ts": "#8FD9BF",
  native: "#E69F00",
  setTimeout: "#E69F00",
  effection: "#CC79A7",
  effect: "#D55E00",
  tinyqueue: "#999999",
  generators: "#999999",
  "queue-wasm": "#CC79A7",
  "queue-ts": "#E7B8D4",
};

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

interface Panel {
  title: string;
  /** Formats a value for its bar label, and a power of ten for the axis. */
  fmt: (v: number) => string;
  axis: (v: number) => string;
  groups: { title: string; bars: { impl: string; value: number; flag: boolean }[] }[];
}

const W = 900;
const BAR_H = 14;
const GAP = 3;
const PLOT_X = 120;
const PLOT_W = W - PLOT_X - 120;

/** 1, 10, 100, 1k, 10k, …: axis labels for powers of ten. */
function si(v: number): string {
  const units: [number, string][] = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [scale, unit] of units) if (v >= scale) return `${Math.round(v / scale)}${unit}`;
  return v >= 1 ? String(Math.round(v)) : String(v);
}

function renderPanel(panel: Panel, y0: number): { svg: string[]; height: number } {
  const values = panel.groups.flatMap((g) => g.bars.map((b) => b.value)).filter((x) => x > 0);
  if (values.length === 0) return { svg: [], height: 0 };
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  const decades = Math.max(1, hi - lo);
  const x = (v: number) => PLOT_X + ((Math.log10(v) - lo) / decades) * PLOT_W;
  const svg: string[] = [];
  let y = y0;
  svg.push(`<text x="10" y="${y + 16}" class="panel">${xmlEscape(panel.title)}</text>`);
  y += 28;
  const top = y;
  for (const g of panel.groups) {
    svg.push(`<text x="10" y="${y + 12}" class="shape">${xmlEscape(g.title)}</text>`);
    y += 17;
    for (const b of g.bars) {
      const w = b.value > 0 ? Math.max(1, x(b.value) - PLOT_X) : 0;
      const color = COLORS[b.impl] ?? "#444444";
      svg.push(
        `<text x="${PLOT_X - 6}" y="${y + BAR_H - 3}" class="impl">${xmlEscape(b.impl)}</text>`,
        `<rect x="${PLOT_X}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${color}"/>`,
        `<text x="${(PLOT_X + w + 4).toFixed(1)}" y="${y + BAR_H - 3}" class="value">` +
          `${xmlEscape(panel.fmt(b.value))}${b.flag ? " ⚠" : ""}</text>`,
      );
      y += BAR_H + GAP;
    }
    y += 8;
  }
  // Decade grid lines and their labels, under the bars' area.
  for (let d = lo; d <= lo + decades; d++) {
    const gx = x(10 ** d);
    svg.unshift(
      `<line x1="${gx.toFixed(1)}" y1="${top - 4}" x2="${gx.toFixed(1)}" y2="${y}" class="grid"/>`,
    );
    svg.push(
      `<text x="${gx.toFixed(1)}" y="${y + 12}" class="axis">${xmlEscape(panel.axis(10 ** d))}</text>`,
    );
  }
  return { svg, height: y + 24 - y0 };
}

/** Bars per shape per implementation, log scale; one panel per kind of figure. */
export function toSvg(report: Report): string {
  const ok = report.shapes.filter((s) => s.error === null);
  const group = (s: ShapeResult, value: (r: ImplResult) => number) => ({
    title: s.title,
    bars: s.results.map((r) => ({
      impl: r.impl,
      value: value(r),
      flag: s.flagged.includes(r.impl),
    })),
  });
  const panels: Panel[] = [
    {
      title: "Throughput, operations per second (log scale; longer is better)",
      fmt: (v) => `${fmtRate(v)}/s`,
      axis: (v) => `${si(v)}/s`,
      groups: ok
        .filter((s) => s.kind === "throughput")
        .map((s) => group(s, (r) => r.opsPerSec ?? 0)),
    },
    {
      title: "Memory per sleeping task, RSS (log scale; shorter is better)",
      fmt: fmtBytes,
      axis: (v) => `${si(v)}B`,
      groups: ok.filter((s) => s.kind === "memory").map((s) => group(s, (r) => r.median)),
    },
    {
      title: "Cold start, process start to first task done (log scale; shorter is better)",
      fmt: fmtMs,
      axis: (v) => `${si(v)} ms`,
      groups: ok.filter((s) => s.kind === "cold-start").map((s) => group(s, (r) => r.median)),
    },
  ];
  const m = report.machine;
  const body: string[] = [];
  let y = 62;
  for (const p of panels) {
    const { svg, height } = renderPanel(p, y);
    body.push(...svg);
    y += height + 10;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    "<style>",
    ".title{font-size:18px;font-weight:600}.sub{font-size:11px;fill:#555}",
    ".panel{font-size:14px;font-weight:600}.shape{font-size:12px;font-weight:600}",
    ".impl{font-size:11px;text-anchor:end}.value{font-size:11px}",
    ".axis{font-size:10px;fill:#666;text-anchor:middle}.grid{stroke:#ddd;stroke-width:1}",
    "</style>",
    `<rect width="${W}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="24" class="title">spindle benchmarks (${report.mode})</text>`,
    `<text x="10" y="42" class="sub">${xmlEscape(
      `${report.date} · ${m.cpu}, ${m.cores} cores · Node ${m.node} · \`${report.command}\` · ⚠ = spindle or its wasm core loses here`,
    )}</text>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}
