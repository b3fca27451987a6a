// Loading the WebAssembly core: the embedded bytes by default, initCore() from every kind of
// source, and errors that say what went wrong — a missing file, a denied read (distinct,
// and naming the flags that allow it), bytes that are not the core.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import {
  ABI_VERSION,
  CoreLoadError,
  WASM_URL,
  WasmCore,
  coreModule,
  createCore,
  initCore,
} from "../../src/core/index.js";
import { readError } from "../../src/core/load.js";

const root = new URL("../../", import.meta.url);
const bytes = readFileSync(WASM_URL);

/** A core from the current module works: it arms, fires and drains. */
function works(core = createCore("wasm")): boolean {
  const id = core.spawn();
  core.arm(id, 1);
  return core.advance(1) === 1 && core.nextReady() === id;
}

afterEach(async () => {
  await initCore(); // every test leaves the embedded module in place
});

describe("the default path", () => {
  test("createCore('wasm') works synchronously from the bytes spindle carries", () => {
    expect(works()).toBe(true);
    expect(coreModule()).toBe(coreModule()); // compiled once per process
  });

  test("the embedded bytes are build/spindle.wasm's", async () => {
    const { WASM_BASE64 } = (await import(new URL("build/spindle-wasm.js", root).href)) as {
      WASM_BASE64: string;
    };
    expect(Buffer.from(WASM_BASE64, "base64").equals(bytes)).toBe(true);
  });
});

describe("initCore", () => {
  const response = (type: string): Response =>
    new Response(bytes, { headers: { "content-type": type } });

  test.each([
    ["no source (the embedded bytes)", () => undefined],
    ["a Uint8Array", () => new Uint8Array(bytes)],
    ["an ArrayBuffer", () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)],
    ["a DataView", () => new DataView(bytes.buffer, bytes.byteOffset, bytes.length)],
    ["a Response served as application/wasm (streaming)", () => response("application/wasm")],
    ["a Response with another content type", () => response("application/octet-stream")],
    ["a promise of a Response", () => Promise.resolve(response("application/wasm"))],
    ["a file URL", () => WASM_URL],
    ["a file URL as a string", () => WASM_URL.href],
    ["a path", () => fileURLToPath(WASM_URL)],
    ["a data: URL (fetched)", () => `data:application/wasm;base64,${bytes.toString("base64")}`],
  ])("loads the core from %s", async (_, source) => {
    const module = await initCore(source());
    expect(coreModule()).toBe(module);
    const core = new WasmCore();
    expect(core.exports.abiVersion()).toBe(ABI_VERSION);
    expect(works(core)).toBe(true);
  });

  test("takes a compiled module as it is", async () => {
    const module = await initCore(bytes);
    expect(await initCore(module)).toBe(module);
  });

  test("a missing file is 'missing', and says where it looked", async () => {
    const url = new URL("build/nowhere.wasm", root);
    const error = await initCore(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreLoadError);
    expect((error as CoreLoadError).reason).toBe("missing");
    expect((error as Error).message).toContain(fileURLToPath(url));
    expect((error as Error).message).toContain("npm run build:wasm");
    expect(works()).toBe(true); // the module in place is kept
  });

  test("bytes that are not WebAssembly are 'invalid'", async () => {
    const error = await initCore(new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreLoadError);
    expect((error as CoreLoadError).reason).toBe("invalid");
  });

  test("an HTTP error is 'missing' for 404 and 'fetch' otherwise", async () => {
    const notFound = new Response("no", { status: 404 });
    const e404 = await initCore(notFound).catch((e: unknown) => e);
    expect((e404 as CoreLoadError).reason).toBe("missing");
    const e500 = await initCore(new Response("no", { status: 500 })).catch((e: unknown) => e);
    expect((e500 as CoreLoadError).reason).toBe("fetch");
    expect((e500 as Error).message).toContain("HTTP 500");
  });
});

describe("read errors", () => {
  const url = new URL("file:///srv/app/node_modules/spindle/build/spindle.wasm");

  test.each([
    [
      "Deno 2 (NotCapable)",
      Object.assign(new Error("Requires read access"), { name: "NotCapable" }),
    ],
    ["Deno 1 (PermissionDenied)", Object.assign(new Error("denied"), { name: "PermissionDenied" })],
    ["Node's permission model", Object.assign(new Error("denied"), { code: "ERR_ACCESS_DENIED" })],
    ["file permissions", Object.assign(new Error("denied"), { code: "EACCES" })],
  ])("a denied read (%s) says so and names --allow-read", (_, cause) => {
    const error = readError(url, cause);
    expect(error.reason).toBe("denied");
    expect(error.message).toContain("was denied");
    expect(error.message).toContain("--allow-read");
    expect(error.message).not.toContain("missing");
    expect(error.cause).toBe(cause);
  });

  test.each([
    ["Deno (NotFound)", Object.assign(new Error("No such file"), { name: "NotFound" })],
    ["Node (ENOENT)", Object.assign(new Error("no such file"), { code: "ENOENT" })],
  ])("a missing file (%s) is 'missing', not 'denied'", (_, cause) => {
    const error = readError(url, cause);
    expect(error.reason).toBe("missing");
    expect(error.message).toContain("/srv/app/node_modules/spindle/build/spindle.wasm");
  });

  test("under Node's permission model, a denied read says so, in a real process", async () => {
    // The child may read the compiled tree (dist, build, node_modules) but not the file.
    const outside = new URL("test/core/load.test.ts", root); // any file it may not read
    const script = [
      `const { initCore } = await import(${JSON.stringify(new URL("dist/core/index.js", root).href)});`,
      `const e = await initCore(new URL(${JSON.stringify(outside.href)})).catch((e) => e);`,
      "console.log(JSON.stringify({ reason: e.reason, message: e.message }));",
    ].join("\n");
    const allowed = ["dist", "build", "node_modules"].map((d) => join(fileURLToPath(root), d));
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
      execFile(
        process.execPath,
        [
          "--experimental-permission",
          ...allowed.map((d) => `--allow-fs-read=${d}`),
          "--input-type=module",
          "-e",
          script,
        ],
        { cwd: fileURLToPath(root), timeout: 20_000 },
        (error, out, err) =>
          error ? reject(new Error(err || String(error))) : resolve({ stdout: out }),
      ),
    );
    const { reason, message } = JSON.parse(stdout) as { reason: string; message: string };
    expect(reason).toBe("denied");
    expect(message).toContain("--allow-read");
  });
});

describe("browser bundles", () => {
  test("spindle/core's module graph imports nothing but its own files", () => {
    // Walk what a bundler would: static imports and literal dynamic imports, from the entry.
    const seen = new Set<string>();
    const walk = (url: URL): void => {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      const source = readFileSync(url, "utf8");
      const specifiers = [
        ...source.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s+["']([^"']+)["']/gm),
        ...source.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
      ].map((m) => m[1]!);
      for (const s of specifiers) {
        expect(s.startsWith("."), `${url.pathname} imports ${s}`).toBe(true);
        const next = new URL(s, url);
        // Sources are .ts (imported as .js); the generated bytes module is .js.
        const ts = new URL(next.href.replace(/\.js$/, ".ts"));
        walk(next.pathname.includes("/build/") ? next : ts);
      }
    };
    walk(new URL("src/core/index.ts", root));
    expect(seen.size).toBeGreaterThanOrEqual(12);
    expect([...seen].some((u) => u.endsWith("build/spindle-wasm.js"))).toBe(true);
  });
});
