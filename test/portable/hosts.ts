// Helpers of the cross-runtime tests: a consumer directory that depends on this checkout as
// `spindle` (as an installed package would: exports, imports, conditions), esbuild bundles for
// the browser, a loopback HTTP server, and a headless Chromium that npm installed.

import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = (name: string): string => join(ROOT, "node_modules/.bin", name);

/** The fenced block after `<!-- marker -->` in a Markdown file of the repo (`nth`: 0 = first). */
export function block(file: string, marker: string, nth = 0): string {
  const doc = readFileSync(join(ROOT, file), "utf8");
  const at = doc.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`${file} has no <!-- ${marker} --> marker`);
  const blocks = [...doc.slice(at).matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)];
  const m = blocks[nth];
  if (m === undefined) throw new Error(`${file}: no code block ${nth} after <!-- ${marker} -->`);
  return m[1]!;
}

/** The lines of a text block (output blocks). */
export const lines = (text: string): string[] => text.trimEnd().split("\n");

/** A temporary package that depends on spindle (node_modules/spindle -> this checkout). */
export function consumer(): {
  dir: string;
  write(name: string, text: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), "spindle-consumer-"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ type: "module", dependencies: { spindle: "*" } }),
  );
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT.replace(/\/$/, ""), join(dir, "node_modules/spindle"));
  return {
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function exec(
  bin: string,
  args: string[],
  options: { cwd?: string; timeout?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      { cwd: options.cwd ?? ROOT, timeout: options.timeout ?? 60_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Bundles `entry` for the browser, as a user's esbuild would; returns the JavaScript. */
export async function bundle(entry: string): Promise<string> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
    // The checkout's own tsconfig maps #node-host to src/ for the type checker; an installed
    // package has no tsconfig, so the bundle must not see it either.
    tsconfigRaw: {},
  });
  return result.outputFiles[0]!.text;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".html": "text/html",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/**
 * A loopback HTTP server: `routes` by path, and this checkout's files under
 * /node_modules/spindle/ (as a page's import map or fetch would reach an installed package).
 */
export async function serve(
  routes: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    const route = routes[path];
    if (route !== undefined) return send(200, TYPES[extname(path)] ?? "text/html", route);
    const prefix = "/node_modules/spindle/";
    if (path.startsWith(prefix)) {
      const file = normalize(join(ROOT, path.slice(prefix.length)));
      if (file.startsWith(ROOT) && existsSync(file))
        return send(200, TYPES[extname(file)] ?? "application/octet-stream", readFileSync(file));
    }
    send(404, "text/plain", "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Where a headless Chromium is: the one npm installed (@sparticuz/chromium), else Debian's. */
export async function chromiumPath(): Promise<string> {
  const tried: string[] = [];
  try {
    const { default: chromium } = await import("@sparticuz/chromium");
    const path = await chromium.executablePath();
    if (existsSync(path)) return path;
    tried.push(`@sparticuz/chromium gave ${path}, which does not exist`);
  } catch (e) {
    tried.push(`@sparticuz/chromium: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const path of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (existsSync(path)) return path;
    tried.push(`${path}: absent`);
  }
  throw new Error(
    "no headless Chromium for the browser tests: `npm install` brings one " +
      "(devDependency @sparticuz/chromium), or install Debian's (apt-get install chromium). " +
      `Tried: ${tried.join("; ")}`,
  );
}

/** Flags for a headless Chromium on a machine with no network and no GPU. */
export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
