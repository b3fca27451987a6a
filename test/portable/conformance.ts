// Runs test files written for vitest on another runtime (Deno, Bun) through
// test/portable/vitest-shim.ts, and prints one JSON line: tests registered, passed, failed.
//
//   deno run -A --import-map=test/portable/deno-import-map.json test/portable/conformance.ts FILE...
//   bun --tsconfig-override=test/portable/tsconfig.bun.json test/portable/conformance.ts FILE...
//
// test/portable/runtimes.test.ts runs it from `npm test` with the subset listed there.

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { run } from "./vitest-shim.js";

const files = process.argv.slice(2);
if (files.length === 0) throw new Error("usage: conformance.ts FILE...");
for (const f of files) await import(pathToFileURL(resolve(f)).href);
const { passed, failed } = await run((line) => console.error(line));
console.log(JSON.stringify({ files: files.length, passed, failed }));
