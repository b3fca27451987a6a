// Writes the performance table in README.md from bench/results/latest.json, between the
// markers <!-- bench:start --> and <!-- bench:end -->: README's figures come from a real
// run, never typed by hand.  Usage: npm run bench, then npm run bench:readme.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface Result {
  impl: string;
  median: number;
  opsPerSec?: number;
}
interface Shape {
  id: string;
  title: string;
  kind: "throughput" | "memory" | "cold-start";
  baseline: string;
  results: Result[];
  wasmTs: { wasm: string; ts: string; ratio: number }[];
}
interface Report {
  date: string;
  command: string;
  durationMs: number;
  machine: { cpu: string; cores: number; memoryBytes: number; os: string; node: string };
  shapes: Shape[];
}

const root = (p: string): string => fileURLToPath(new URL(`../${p}`, import.meta.url));
const report = JSON.parse(readFileSync(root("bench/results/latest.json"), "utf8")) as Report;
const COLUMNS = ["spindle-wasm", "spindle-ts", "native", "effection", "effect"];

function si(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M/s`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k/s`;
  return `${n.toFixed(0)}/s`;
}

/** A cell: throughput (higher is better), bytes or ms per task/start (lower is better). */
function cell(shape: Shape, r: Result | undefined): string {
  if (r === undefined) return "–";
  if (shape.kind === "memory") return `${Math.round(r.median)} B`;
  if (shape.kind === "cold-start") return `${r.median.toFixed(1)} ms`;
  return si(r.opsPerSec ?? 0);
}

const lines: string[] = [];
const m = report.machine;
lines.push(
  `Measured ${report.date.slice(0, 10)} with \`${report.command}\` on ${m.cpu}, ${m.cores} cores, ` +
    `${Math.round(m.memoryBytes / 2 ** 30)} GiB, ${m.os}, Node ${m.node} ` +
    `(full tables: [bench/results/latest.md](bench/results/latest.md)). Throughput: higher is ` +
    `better; memory and cold start: lower is better. wasm/ts below 1: the WebAssembly core wins.`,
  "",
  `| shape | ${COLUMNS.join(" | ")} | baseline | wasm/ts |`,
  `|---|${COLUMNS.map(() => "---:").join("|")}|---:|---:|`,
);
for (const shape of report.shapes) {
  const by = new Map(shape.results.map((r) => [r.impl, r]));
  const cells = COLUMNS.map((c) => cell(shape, by.get(c)));
  const base = COLUMNS.includes(shape.baseline)
    ? "native"
    : `${shape.baseline} ${cell(shape, by.get(shape.baseline))}`;
  const ratio = shape.wasmTs.find((w) => w.wasm === "spindle-wasm")?.ratio;
  lines.push(
    `| ${shape.title} | ${cells.join(" | ")} | ${base} | ${ratio === undefined ? "–" : ratio.toFixed(2)} |`,
  );
}
lines.push("", "![throughput per shape and implementation](bench/results/chart.svg)");

const readme = readFileSync(root("README.md"), "utf8");
const start = "<!-- bench:start -->";
const end = "<!-- bench:end -->";
const i = readme.indexOf(start);
const j = readme.indexOf(end);
if (i < 0 || j < i) throw new Error(`README.md needs ${start} … ${end} markers`);
writeFileSync(
  root("README.md"),
  readme.slice(0, i + start.length) + "\n\n" + lines.join("\n") + "\n\n" + readme.slice(j),
);
console.log(`README.md: performance table from ${report.date}`);
