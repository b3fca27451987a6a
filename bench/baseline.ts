// The timer heap the wheel replaced, as a benchmark baseline: the scheduler core (both
// twins) exactly as it was at BASELINE_COMMIT, built from git into a cache directory.
//
// WHY from git, not a copy in the tree. The baseline must stay what it was — a 4-ary heap
// with one crossing per arm — while the tree moves on; a copy in assembly/ would be a second
// core to keep compiling, linting and deduplicating, and would drift the first time someone
// fixed "both" cores. The commit is the copy. The cost: a benchmark run needs the git
// history (a clone, not a tarball); without it the baseline rows are reported as missing,
// with the reason, and everything else runs.
//
// HOW. `git show` writes the commit's assembly/, src/core/ and asconfig.json into
// node_modules/.cache/spindle-baseline/<commit>/; asc builds the release wasm next to them,
// and the TypeScript is transpiled file by file (as bench/compiled.ts does), so the old
// src/core/index.js loads the old build/spindle.wasm from its own relative path. The
// directory is reused while it is complete.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The last commit with the heap core: main when the timer wheel was started. */
export const BASELINE_COMMIT = "c8e4dd67080f7a084420074bb4c61cc0ead99347";

/** The slice of the old Core interface the timer shapes use. */
export interface BaselineCore {
  readonly batchCapacity: number;
  spawn(): number;
  sleepUntil(id: number, deadline: number): number;
  cancelTimer(handle: number): boolean;
  advance(now: number): number;
  drain(max: number): number;
  batchOut(): Int32Array;
  timerCount(): number;
  readyLength(): number;
}

/** What the baseline module exports. */
export interface BaselineModule {
  createCore(kind: "wasm" | "ts"): BaselineCore;
}

function git(args: string[]): string {
  return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", maxBuffer: 16 << 20 });
}

/** Writes the commit's core sources into `dir` and builds them. */
function build(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  const files = git(["ls-tree", "-r", "--name-only", BASELINE_COMMIT, "assembly", "src/core"])
    .split("\n")
    .filter((f) => f !== "");
  for (const file of [...files, "asconfig.json"]) {
    const out = join(dir, file);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, git(["show", `${BASELINE_COMMIT}:${file}`]));
  }
  const asc = join(ROOT, "node_modules", ".bin", "asc");
  execFileSync(asc, ["assembly/index.ts", "--target", "release"], { cwd: dir, stdio: "pipe" });
  for (const file of files.filter((f) => f.startsWith("src/") && f.endsWith(".ts"))) {
    const { outputText } = ts.transpileModule(readFileSync(join(dir, file), "utf8"), {
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        verbatimModuleSyntax: true,
        isolatedModules: true,
        useDefineForClassFields: false,
      },
      fileName: file,
    });
    writeFileSync(join(dir, file.replace(/\.ts$/, ".js")), outputText);
  }
  writeFileSync(join(dir, "package.json"), '{ "type": "module", "private": true }\n');
  writeFileSync(join(dir, "COMPLETE"), `${BASELINE_COMMIT}\n`);
}

/**
 * The baseline core module, built on first use; or the reason it cannot be had (no git
 * history, say), which the benchmark prints instead of the baseline's rows.
 *
 * @example
 * ```ts
 * const baseline = await loadBaseline();
 * if (typeof baseline !== "string") baseline.createCore("wasm").sleepUntil(0, 1);
 * ```
 */
export async function loadBaseline(): Promise<BaselineModule | string> {
  const dir = join(ROOT, "node_modules", ".cache", "spindle-baseline", BASELINE_COMMIT);
  try {
    if (!existsSync(join(dir, "COMPLETE"))) build(dir);
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return `the baseline core (heap, ${BASELINE_COMMIT.slice(0, 7)}) could not be built: ${why}`;
  }
  const url = pathToFileURL(join(dir, "src", "core", "index.js")).href;
  return (await import(url)) as BaselineModule;
}
