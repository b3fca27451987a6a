// Loading the WebAssembly core: where its bytes come from, and the one compiled module every
// WasmCore of the process instantiates.
//
// HOW. The release build's bytes ship inside a JavaScript module as base64
// (build/spindle-wasm.js, written by scripts/embed-wasm.mjs at `npm run build:wasm`), so
// the default path reads no file: coreModule() decodes and compiles them synchronously the
// first time a WasmCore is made, which is what keeps createCore("wasm") synchronous in
// Node, Bun and Deno (and needs no --allow-read in Deno). Browsers refuse to compile a
// module over 4 KB synchronously on the main thread, so there — or to load the core from
// elsewhere (a URL, a Response, bytes) — `await initCore(source)` first: it compiles
// asynchronously (streaming where it can) and every later WasmCore uses that module.
//
// WHY embedded. Measured from module load to a ready instance in fresh Node 20 processes:
// decoding the embedded base64 took 6.5-7.6 ms where reading build/spindle.wasm took 11.6 ms
// (scripts/embed-wasm.mjs has the figures). And nothing here imports node:fs: a browser
// bundle of spindle/core carries no Node built-in. Reading a file is done only for a file
// URL or path given to initCore, through the runtime's own reader found at run time.

import { WASM_BASE64 } from "../../build/spindle-wasm.js";

// @types/node 20 has no WebAssembly typings (they live in lib.dom); this is the slice we use.
/** A compiled WebAssembly module (opaque). */
export type CoreModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => CoreModule;
  Instance: new (module: CoreModule, imports: object) => { exports: unknown };
  compile(bytes: Uint8Array): Promise<CoreModule>;
  compileStreaming?: (source: Promise<ResponseLike>) => Promise<CoreModule>;
}
/** What initCore needs of a fetch Response. */
export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly url: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  clone(): ResponseLike;
  readonly headers: { get(name: string): string | null };
}
/** @internal */
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Where initCore() can take the core from: a URL (http:, https:, file:, data:, blob:) or a
 * path, a fetch Response (or a promise of one), the module's bytes, or a compiled module.
 */
export type CoreSource =
  | string
  | URL
  | ResponseLike
  | PromiseLike<ResponseLike>
  | ArrayBuffer
  | ArrayBufferView
  | CoreModule;

/** Why the core could not be loaded. */
export type CoreLoadFailure = "missing" | "denied" | "invalid" | "fetch" | "sync-compile";

/**
 * The WebAssembly core could not be loaded: `reason` says why — the file or URL is
 * missing, reading it was denied (Deno without --allow-read, Node's permission model), the
 * bytes are not the core, a fetch failed, or this runtime will not compile synchronously.
 *
 * @example
 * ```ts
 * try { await initCore(new URL("file:///nowhere/spindle.wasm")); }
 * catch (e) { if (e instanceof CoreLoadError) console.log(e.reason); } // "missing"
 * ```
 */
export class CoreLoadError extends Error {
  override name = "CoreLoadError";
  constructor(
    readonly reason: CoreLoadFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

let compiled: CoreModule | undefined;

/** The embedded bytes of build/spindle.wasm. */
function embeddedBytes(): Uint8Array {
  const buffer = (globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  if (buffer !== undefined) return buffer.from(WASM_BASE64, "base64");
  const binary = atob(WASM_BASE64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The compiled core module: the one initCore() set, or else the embedded bytes, compiled
 * synchronously once per process.
 *
 * @example
 * ```ts
 * const a = new WasmCore(coreModule()); // each instance has its own memory
 * ```
 */
export function coreModule(): CoreModule {
  if (compiled === undefined) {
    try {
      compiled = new WA.Module(embeddedBytes());
    } catch (cause) {
      if (cause instanceof Error && cause.name === "CompileError") {
        throw new CoreLoadError("invalid", `spindle: the embedded core does not compile`, {
          cause,
        });
      }
      // Chromium: "WebAssembly.Module is disallowed on the main thread, if the buffer size
      // is larger than 4KB" (a RangeError).
      throw new CoreLoadError(
        "sync-compile",
        "spindle: this runtime will not compile the WebAssembly core synchronously here " +
          "(browsers refuse on the main thread): `await initCore()` before creating a " +
          'wasm core, or use createCore("ts")',
        { cause },
      );
    }
  }
  return compiled;
}

/**
 * Undefined once the core module is compiled (compiling it synchronously now if the runtime
 * allows: Node, Bun, Deno, Web Workers); a Promise where the runtime refuses to (a browser's
 * main thread), which compiles the embedded bytes asynchronously — what run() awaits before
 * its first loop, so `await run(...)` works unchanged in a browser page.
 *
 * @example
 * ```ts
 * const pending = coreReady();
 * if (pending !== undefined) await pending; // only in a browser's main thread
 * const core = createCore("wasm");
 * ```
 */
export function coreReady(): Promise<void> | undefined {
  if (compiled !== undefined) return undefined;
  try {
    coreModule();
    return undefined;
  } catch (error) {
    if (!(error instanceof CoreLoadError) || error.reason !== "sync-compile") throw error;
    return initCore().then(() => undefined);
  }
}

/**
 * Loads and compiles the WebAssembly core asynchronously — from the bytes spindle carries
 * (no argument), a URL or path, a fetch Response, bytes or a compiled module — and makes it
 * the module every later WasmCore (and createCore("wasm")) instantiates. Streams where the
 * runtime can (WebAssembly.compileStreaming on a Response served as application/wasm).
 * Needed in browsers before the first wasm core; optional elsewhere.
 *
 * @example
 * ```ts
 * import { initCore, createCore } from "spindle/core";
 * await initCore(fetch("/assets/spindle.wasm")); // or initCore() for the embedded bytes
 * const core = createCore("wasm");
 * ```
 */
export async function initCore(source?: CoreSource): Promise<CoreModule> {
  const module = await compileFrom(source);
  compiled = module;
  return module;
}

async function compileFrom(source: CoreSource | undefined): Promise<CoreModule> {
  if (source === undefined) return compileBytes(embeddedBytes(), "the embedded core");
  if (source instanceof ArrayBuffer) return compileBytes(new Uint8Array(source), "the bytes");
  if (ArrayBuffer.isView(source)) {
    const view = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return compileBytes(view, "the bytes");
  }
  if (typeof source === "string" || source instanceof URL) return compileUrl(toUrl(source));
  if (isThenable(source)) return compileResponse(await source);
  if (isResponse(source)) return compileResponse(source);
  return source; // a compiled module
}

function isThenable(x: object): x is PromiseLike<ResponseLike> {
  return typeof (x as { then?: unknown }).then === "function";
}

function isResponse(x: object): x is ResponseLike {
  return typeof (x as { arrayBuffer?: unknown }).arrayBuffer === "function";
}

async function compileBytes(bytes: Uint8Array, what: string): Promise<CoreModule> {
  try {
    return await WA.compile(bytes);
  } catch (cause) {
    throw new CoreLoadError("invalid", `spindle: ${what} is not a WebAssembly module`, {
      cause,
    });
  }
}

/** An absolute URL for a URL or path (a path is a file, or relative to the page). */
function toUrl(source: string | URL): URL {
  if (source instanceof URL) return source;
  try {
    return new URL(source);
  } catch {
    const page = (globalThis as { location?: { href: string } }).location;
    if (page !== undefined) return new URL(source, page.href);
    // A filesystem path: absolute, or relative to the working directory.
    const cwd = (globalThis as { process?: { cwd(): string } }).process?.cwd() ?? "/";
    const base = `file://${cwd.replaceAll("\\", "/").replace(/^(?!\/)/, "/")}/`;
    return new URL(source.replaceAll("\\", "/"), base);
  }
}

async function compileUrl(url: URL): Promise<CoreModule> {
  if (url.protocol === "file:") return compileBytes(await readFile(url), url.href);
  let response: ResponseLike;
  try {
    response = await (fetch as unknown as (u: string) => Promise<ResponseLike>)(url.href);
  } catch (cause) {
    throw new CoreLoadError("fetch", `spindle: fetching the core from ${url.href} failed`, {
      cause,
    });
  }
  return compileResponse(response);
}

async function compileResponse(response: ResponseLike): Promise<CoreModule> {
  const where = response.url === "" ? "the response" : response.url;
  if (!response.ok) {
    const reason = response.status === 404 ? "missing" : "fetch";
    throw new CoreLoadError(reason, `spindle: ${where} answered HTTP ${response.status}`);
  }
  const type = response.headers.get("content-type") ?? "";
  if (WA.compileStreaming !== undefined && type.split(";")[0]!.trim() === "application/wasm") {
    const copy = response.clone();
    try {
      return await WA.compileStreaming(Promise.resolve(response));
    } catch {
      // Fall back to the whole body: the error, if any, comes from compileBytes.
      return compileBytes(new Uint8Array(await copy.arrayBuffer()), where);
    }
  }
  return compileBytes(new Uint8Array(await response.arrayBuffer()), where);
}

/** The runtime's own file reader, found at run time so no bundle sees a Node built-in. */
interface Runtime {
  Deno?: { readFile(url: URL): Promise<Uint8Array> };
}

async function readFile(url: URL): Promise<Uint8Array> {
  try {
    const deno = (globalThis as Runtime).Deno;
    if (deno !== undefined) return await deno.readFile(url);
    // A computed specifier: bundlers leave it alone, and a browser never gets here.
    const specifier = ["node", "fs/promises"].join(":");
    const fs = (await import(specifier)) as { readFile(u: URL): Promise<Uint8Array> };
    return await fs.readFile(url);
  } catch (cause) {
    throw readError(url, cause);
  }
}

/**
 * The CoreLoadError for a failed read: a denied read says so (naming the flags that allow
 * it), a missing file says where it was looked for.
 *
 * @internal exported for the tests, which cannot run Deno.
 */
export function readError(url: URL, cause: unknown): CoreLoadError {
  const e = cause as { name?: string; code?: string };
  const path = decodeURIComponent(url.pathname);
  const denied =
    e.name === "PermissionDenied" || // Deno 1
    e.name === "NotCapable" || // Deno 2
    e.code === "ERR_ACCESS_DENIED" || // Node's permission model
    e.code === "EACCES" ||
    e.code === "EPERM";
  if (denied) {
    return new CoreLoadError(
      "denied",
      `spindle: reading the WebAssembly core at ${path} was denied: allow it (Deno: ` +
        "--allow-read; Node's permission model: --allow-fs-read), or call initCore() " +
        "without a path to use the bytes spindle carries",
      { cause },
    );
  }
  if (e.name === "NotFound" || e.code === "ENOENT") {
    return new CoreLoadError(
      "missing",
      `spindle: the WebAssembly core is missing at ${path}; build it with ` +
        '`npm run build:wasm`, or call initCore() without a path, or use createCore("ts")',
      { cause },
    );
  }
  return new CoreLoadError("fetch", `spindle: reading the core at ${path} failed`, { cause });
}
