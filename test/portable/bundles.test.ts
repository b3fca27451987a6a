// The entries that claim to work in a browser bundle for one: esbuild with
// `platform: "browser"`, from a package that depends on this checkout, must resolve every
// import without a Node built-in (package.json's "#node-host" picks src/host/portable.ts under
// the "browser" condition). Each entry listed in package.json "exports" is bundled, except
// the ones documented as Node-only. And on Node itself, no deadlock watchdog is armed.

import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { hostIdleProbe } from "../../src/kernel/host.js";
import { ROOT, consumer } from "./hosts.js";

/** Entries documented as Node-only (docs/embedding.md), and files that are not modules. */
const NODE_ONLY = new Set(["./worker", "./streams", "./http", "./spindle.wasm", "./package.json"]);
NODE_ONLY.add("./cluster"); // cluster layer: node:cluster processes (docs/scaling.md)
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as {
  exports: Record<string, unknown>;
};
const ENTRIES = Object.keys(pkg.exports)
  .filter((e) => !NODE_ONLY.has(e))
  .map((e) => (e === "." ? "spindle" : `spindle/${e.slice(2)}`));

const app = consumer();
afterAll(() => app.remove());

describe.concurrent("bundled for the browser with esbuild", () => {
  it("covers the root entry, spindle/core and spindle/greenlet at least", () => {
    expect(ENTRIES).toEqual(
      expect.arrayContaining(["spindle", "spindle/core", "spindle/greenlet"]),
    );
  });

  it.each(ENTRIES)("%s: no Node built-in in the bundle", async (entry) => {
    const esbuild = await import("esbuild");
    const file = app.write(`${entry.replace("/", "-")}.mjs`, `export * from "${entry}";\n`);
    const result = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
      tsconfigRaw: {}, // as an installed package: no tsconfig of ours
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith("node:") || i.includes("/host/node."))).toEqual([]);
    expect(inputs.some((i) => i.includes("/host/portable.") || entry === "spindle/core")).toBe(
      true,
    );
    const js = result.outputFiles[0]!.text;
    expect(js).not.toMatch(/\b(from|import|require)\s*\(?\s*["']node:/);
  });
});

it("on Node, no deadlock watchdog: 'beforeExit' is the trigger, with or without top-level await", () => {
  expect(hostIdleProbe).toBeNull();
});
