// Bun and Deno, from `npm install` alone: both ship as npm packages (devDependencies `bun` and
// `deno`, whose binaries sit in node_modules/.bin). On each: a conformance subset of the
// kernel, sync and core tests (the vitest files themselves, run through
// test/portable/vitest-shim.ts), the examples (their traces must equal Node's), deadlocks with
// and without a top-level await, a host timer outside the loop that is NOT a deadlock, and
// Deno's permissions for the wasm core. A missing binary fails the test; nothing is skipped.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { traces } from "./examples-trace.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = (name: string): string => `${ROOT}node_modules/.bin/${name}`;

/** The test files run on Bun and Deno: the kernel's semantics, sync primitives, both cores. */
export const CONFORMANCE = [
  "test/kernel/asyncio-reference.test.ts",
  "test/kernel/tasks.test.ts",
  "test/kernel/cancellation.test.ts",
  "test/kernel/timeouts.test.ts",
  "test/kernel/combinators.test.ts",
  "test/kernel/task-group.test.ts",
  "test/kernel/interop.test.ts", // async functions as tasks: currentTask() across awaits
  "test/sync/queue.test.ts",
  "test/sync/lock.test.ts",
  "test/sync/event.test.ts",
  "test/sync/semaphore.test.ts",
  "test/sync/condition.test.ts",
  "test/greenlet/reference.test.ts",
  "test/core/conformance.test.ts",
];

interface Runtime {
  name: string;
  bin: string;
  /** Arguments that run a script (TypeScript through the vitest shim for the .ts ones). */
  script: (file: string, permissions?: "all" | "read" | "none") => string[];
}

const RUNTIMES: Runtime[] = [
  {
    name: "bun",
    bin: BIN("bun"),
    script: (file) => [`--tsconfig-override=test/portable/tsconfig.bun.json`, file],
  },
  {
    name: "deno",
    bin: BIN("deno"),
    script: (file, permissions = "all") => [
      "run",
      ...(permissions === "all" ? ["-A"] : permissions === "read" ? ["--allow-read"] : []),
      "--sloppy-imports", // test files import ./x.js for ./x.ts, as tsc wants
      "--import-map=test/portable/deno-import-map.json",
      file,
    ],
  },
];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(bin: string, args: string[], timeout = 60_000): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(bin, args, { cwd: ROOT, timeout, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

function lastJson<T>(out: Outcome): T {
  const line = out.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`no JSON result (exit ${out.code}):\n${out.stdout}\n${out.stderr}`);
  }
}

const passedOn = new Map<string, number>();

describe.concurrent.each(RUNTIMES)("$name", (rt) => {
  it("is installed by npm (node_modules/.bin)", async () => {
    expect(existsSync(rt.bin), `${rt.bin} is missing: run npm install`).toBe(true);
    const out = await exec(rt.bin, ["--version"]);
    expect(out.code, out.stderr).toBe(0);
  });

  it("passes the conformance subset of the kernel, sync and core tests", async () => {
    const args = [...rt.script("test/portable/conformance.ts", "all"), ...CONFORMANCE];
    const out = await exec(rt.bin, args, 180_000);
    const result = lastJson<{ files: number; passed: number; failed: unknown[] }>(out);
    expect(result.failed).toEqual([]);
    expect(result.files).toBe(CONFORMANCE.length);
    expect(result.passed).toBeGreaterThan(0);
    passedOn.set(rt.name, result.passed);
    // Both runtimes ran the same tests (the first to finish sets the count).
    for (const n of passedOn.values()) expect(n).toBe(result.passed);
  }, 200_000);

  it("runs the examples with the traces Node prints", async () => {
    const [out, expected] = await Promise.all([
      exec(rt.bin, rt.script("test/portable/print-examples.ts", "all")),
      traces(),
    ]);
    expect(lastJson(out)).toEqual(expected);
  });

  it.each([
    ["awaited at top level", "deadlock-tla.mjs"],
    ["not awaited (run().then)", "deadlock-promise.mjs"],
  ])("ends a deadlock %s with DeadlockError", async (_, file) => {
    const out = await exec(rt.bin, rt.script(`test/portable/fixtures/${file}`, "none"), 20_000);
    expect(out.stdout.trim(), out.stderr).toBe("DeadlockError");
    expect(out.code).toBe(0);
  });

  it("leaves a task waiting for a host timer outside the loop alone", async () => {
    const out = await exec(rt.bin, rt.script("test/portable/fixtures/wake-outside.mjs", "none"));
    expect(out.stdout.trim(), out.stderr).toBe("woken late enough");
  });
});

describe.concurrent("Node", () => {
  it.each(["deadlock-tla.mjs", "deadlock-promise.mjs", "wake-outside.mjs"])(
    "%s: the same outcomes, with no watchdog",
    async (file) => {
      const out = await exec(process.execPath, [`test/portable/fixtures/${file}`]);
      expect(out.stdout.trim(), out.stderr).toBe(
        file.startsWith("deadlock") ? "DeadlockError" : "woken late enough",
      );
      expect(out.code).toBe(0);
    },
  );
});

describe.concurrent("deno permissions", () => {
  const deno = RUNTIMES.find((r) => r.name === "deno")!;
  interface Read {
    embedded: number;
    file: "loaded" | { reason: string; message: string };
    missing: "loaded" | { reason: string; message: string };
  }

  it("without --allow-read: the embedded core works; reading the file is 'denied', naming the flag", async () => {
    const out = await exec(deno.bin, deno.script("test/portable/fixtures/read-core.mjs", "none"));
    const r = lastJson<Read>(out);
    expect(r.embedded).toBe(0); // a wasm core made synchronously; its first id is 0
    expect(r.file).toMatchObject({ reason: "denied" });
    expect((r.file as { message: string }).message).toContain("--allow-read");
    expect((r.file as { message: string }).message).not.toContain("missing");
  });

  it("with --allow-read: the file loads, and a missing one is 'missing'", async () => {
    const out = await exec(deno.bin, deno.script("test/portable/fixtures/read-core.mjs", "read"));
    const r = lastJson<Read>(out);
    expect(r.file).toBe("loaded");
    expect(r.missing).toMatchObject({ reason: "missing" });
    expect((r.missing as { message: string }).message).toContain("build/nowhere.wasm");
  });
});
