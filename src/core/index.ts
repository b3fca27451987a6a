/**
 * `spindle/core`: the scheduler core on its own, for embedders and benchmarkers.
 *
 * @example
 * ```ts
 * import { createCore } from "spindle/core";
 * for (const kind of ["wasm", "ts"] as const) {
 *   const core = createCore(kind);
 *   const a = core.spawn(), b = core.spawn();
 *   core.sleepUntil(a, 20);
 *   core.sleepUntil(b, 10);
 *   core.advance(25);                               // 2
 *   console.log(core.nextReady() === b, core.nextReady() === a); // true true
 *   core.arm(-2, 30);                               // a host token: any number <= -2
 *   core.advance(30);
 *   console.log(core.nextReady());                  // -2
 * }
 * ```
 *
 * Per-entry operations (ready, nextReady, arm, disarm, counters) never call into the
 * WebAssembly instance in the common case: both cores share one host half (port.ts) that
 * works on the core's tables directly. See docs/abi.md.
 */
import { TsCore } from "./ts/index.js";
import { WasmCore } from "./wasm.js";
import type { Core, CoreKind } from "./types.js";

export type { Core, CoreKind } from "./types.js";
export type { CoreExports } from "./wasm.js";
export { WasmCore, WASM_URL } from "./wasm.js";
export type { CoreModule, CoreSource, CoreLoadFailure, ResponseLike } from "./load.js";
export { coreModule, coreReady, initCore, CoreLoadError } from "./load.js";
export { TsCore } from "./ts/index.js";
export {
  ABI_VERSION,
  BATCH_CAPACITY,
  ERR_CAPACITY,
  ERR_DEADLINE,
  ERR_STALE,
  GEN_MASK,
  MAX_DEADLINE,
  MAX_SLOTS,
  NONE,
  PENDING_CAPACITY,
  SLOT_BITS,
  SLOT_MASK,
  TASK_LIVE,
  TASK_QUEUED,
  TOKEN_MAX,
} from "./ts/constants.js";

/**
 * Creates a scheduler core: `"wasm"` (the default, AssemblyScript compiled to
 * WebAssembly) or `"ts"` (its pure-TypeScript twin). Synchronous: in Node, Bun and Deno the
 * first wasm core compiles the module from the bytes spindle carries; in a browser,
 * `await initCore()` once before (browsers do not compile it synchronously).
 *
 * @example
 * ```ts
 * const core = createCore("ts");
 * const id = core.spawn();
 * core.ready(id);
 * core.nextReady() === id; // true
 * ```
 */
export function createCore(kind: CoreKind = "wasm"): Core {
  if (kind === "wasm") return new WasmCore();
  if (kind === "ts") return new TsCore();
  throw new TypeError(`spindle: createCore() takes "wasm" or "ts", not ${String(kind)}`);
}
