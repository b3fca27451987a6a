// The benchmark suite runs, checks its own results and writes its reports: `npm run bench --
// --quick` in a child process, into a temporary directory. Speed is never asserted — only
// that every case's check passed and that the reports have the structure readers (and
// tools reading latest.json) rely on.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../bench/report.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/**
 * The quick run takes ~15 s alone. The bound only stops a run that hangs: it is generous so
 * that a loaded 2-core machine (other test files, other processes) never fails this test
 * (30 s was hit there once).
 */
const BOUND_MS = 240_000;

const KERNEL = ["spindle-wasm", "spindle-ts", "native", "effection", "effect"];
const EXPECTED: Record<string, string[]> = {
  "run-overhead": KERNEL,
  yields: KERNEL,
  "yields-few": KERNEL,
  "chain-task": KERNEL,
  "chain-op": KERNEL,
  "ping-pong": KERNEL,
  sleep0: KERNEL,
  "sleep0-few": KERNEL,
  "node-turn": KERNEL,
  cancel: KERNEL,
  "cancel-few": KERNEL,
  greenlet: ["generators", "spindle-wasm", "spindle-ts", "queue-wasm", "queue-ts"],
  "timers-fire": ["spindle-wasm", "spindle-ts", "core-wasm", "core-ts", "tinyqueue", "setTimeout"],
  "timers-fire-4": [
    "spindle-wasm",
    "spindle-ts",
    "core-wasm",
    "core-ts",
    "tinyqueue",
    "setTimeout",
  ],
  deadline: ["spindle-wasm", "spindle-ts", "core-wasm", "core-ts", "setTimeout"],
  "timers-cancel": ["spindle-wasm", "spindle-ts", "core-wasm", "core-ts", "setTimeout"],
  memory: KERNEL,
  "cold-start": KERNEL,
  // HTTP (bench/http.ts)
  "http-server": ["spindle-wasm", "spindle-ts", "node-http", "fastify"],
  "http-client": ["spindle-wasm", "spindle-ts", "undici", "fetch"],
  // streams
  "echo-server": ["net", "spindle-wasm", "spindle-ts"],
  "echo-server-cpu": ["net", "spindle-wasm", "spindle-ts"],
  "echo-clients": ["net", "spindle-wasm", "spindle-ts"],
  "echo-clients-cpu": ["net", "spindle-wasm", "spindle-ts"],
  "executor-tiny": ["spindle-wasm", "spindle-ts", "piscina"],
  "executor-small": ["spindle-wasm", "spindle-ts", "piscina"],
};

let out: string;
let stdout: string;
let exitCode: number | null;
let stderr: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "spindle-bench-"));
  ({ stdout, stderr, exitCode } = await new Promise<{
    stdout: string;
    stderr: string;
    exitCode: number | null;
  }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "bench/run.ts", "--quick", "--json", `--out=${out}`],
      { cwd: ROOT, timeout: BOUND_MS, maxBuffer: 64 << 20 },
      (error, so, se) =>
        resolve({ stdout: so, stderr: se, exitCode: error ? ((error.code as number) ?? -1) : 0 }),
    );
  }));
}, BOUND_MS + 10_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("npm run bench -- --quick --json", () => {
  it("finishes in time with exit code 0 and every check passed", () => {
    expect(exitCode, stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.mode).toBe("quick");
    for (const shape of report.shapes) {
      expect(shape.error, shape.id).toBeNull();
      for (const r of shape.results) {
        expect(r.check, `${shape.id} / ${r.impl}`).toEqual(r.expect);
        expect(r.samples.length, `${shape.id} / ${r.impl}`).toBeGreaterThan(0);
        expect(Number.isFinite(r.median), `${shape.id} / ${r.impl}`).toBe(true);
      }
    }
  });

  it("prints nothing but the JSON report on stdout, and progress on stderr", () => {
    expect(() => JSON.parse(stdout) as unknown).not.toThrow();
    expect(stdout.trimStart().startsWith("{")).toBe(true);
    expect(stderr).toMatch(/\[\d+\/\d+\] .*ping-pong · effection/);
  });

  it("measures every shape on every implementation it names", () => {
    const report = JSON.parse(stdout) as Report;
    const got = Object.fromEntries(report.shapes.map((s) => [s.id, s.results.map((r) => r.impl)]));
    expect(got).toEqual(EXPECTED);
    for (const shape of report.shapes) {
      expect(Object.keys(shape.uses).sort(), shape.id).toEqual([...EXPECTED[shape.id]!].sort());
      const base = shape.results.find((r) => r.impl === shape.baseline);
      expect(base, `${shape.id}: baseline ${shape.baseline}`).toBeDefined();
      for (const r of shape.results) {
        if (r !== base) expect(r.vs, `${shape.id} / ${r.impl}`).toBeGreaterThan(0);
      }
      // The headline: a wasm/ts ratio wherever both cores ran.
      expect(
        shape.wasmTs.map((p) => p.wasm),
        shape.id,
      ).toContain("spindle-wasm");
    }
    const fire = report.shapes.find((s) => s.id === "timers-fire")!;
    expect(fire.wasmTs.map((p) => p.wasm)).toEqual(["spindle-wasm", "core-wasm"]);
  });

  it("writes latest.json with the machine, the versions and every sample", () => {
    const report = JSON.parse(readFileSync(join(out, "latest.json"), "utf8")) as Report;
    expect(report.schema).toBe("spindle-bench/1");
    expect(report.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(report.command).toContain("--quick");
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.memoryBytes).toBeGreaterThan(0);
    expect(report.machine.cpu).not.toBe("");
    expect(report.machine.node).toBe(process.version);
    for (const name of ["spindle", "effection", "effect", "tinybench"])
      expect(report.versions[name], name).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.settings.sizes.yieldTasks).toBeGreaterThan(0);
    const yields = report.shapes.find((s) => s.id === "yields")!;
    for (const r of yields.results) expect(r.samples.length).toBeGreaterThan(0);
    expect(report.shapes.map((s) => s.id)).toEqual(Object.keys(EXPECTED));
  });

  it("writes latest.md with the date, the machine, the command and a table per shape", () => {
    const report = JSON.parse(stdout) as Report;
    const md = readFileSync(join(out, "latest.md"), "utf8");
    expect(md).toContain("# spindle benchmark results");
    expect(md).toContain(report.date);
    expect(md).toContain(report.machine.cpu);
    expect(md).toContain("--quick");
    expect(md).toContain("## Where spindle loses");
    for (const shape of report.shapes) {
      expect(md).toContain(`### ${shape.title}`);
      for (const r of shape.results) expect(md).toMatch(new RegExp(`^\\| ${r.impl} \\|`, "m"));
    }
  });

  it("writes chart.svg: one labelled bar per shape and implementation", () => {
    const report = JSON.parse(stdout) as Report;
    const svg = readFileSync(join(out, "chart.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    const bars = svg.match(/<rect [^>]*fill="#[0-9A-Fa-f]{6}"\/>/g) ?? [];
    const expected = report.shapes.reduce((n, s) => n + s.results.length, 0);
    expect(bars.length).toBe(expected);
    for (const shape of report.shapes) expect(svg).toContain(shape.title.replace(/&/g, "&amp;"));
  });
});
