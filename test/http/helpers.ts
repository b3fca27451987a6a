// Serving an application on 127.0.0.1 for a test: a loop (wasm or ts core) runs the
// server while `client` (async code: undici, node:http, raw sockets) talks to it; the
// server is cleaned up whatever happens, and the test's undici Agent is closed.

import { readdirSync } from "node:fs";
import {
  asOperation,
  getRunningLoop,
  run,
  type CoroutineLike,
  type ExceptionContext,
  type Instruction,
  type Operation,
} from "../../src/index.js";
import { web } from "../../src/http/index.js";
import type { ServerOptions } from "../../src/http/server.js";

export const CORES = ["wasm", "ts"] as const;
export type CoreKind = (typeof CORES)[number];

/**
 * Runs `app` on a fresh loop and runs `client(baseUrl, runner, site)` on the same loop (a
 * coroutine, an async function or a Promise); returns its result.
 */
export async function serve<T>(
  app: web.Application,
  client: (base: string, runner: web.AppRunner, site: web.TCPSite) => CoroutineLike<T>,
  options: {
    core?: CoreKind;
    server?: ServerOptions;
    host?: string;
    /** Receives what the loop's exception handler gets (handler errors: 500s). */
    errors?: ExceptionContext[];
  } = {},
): Promise<T> {
  return run(
    function* () {
      const errors = options.errors;
      if (errors !== undefined)
        getRunningLoop()!.setExceptionHandler((_loop, ctx) => void errors.push(ctx));
      const runner = new web.AppRunner(app, options.server);
      yield* runner.setup();
      try {
        const site = new web.TCPSite(runner, options.host ?? "127.0.0.1", 0);
        yield* site.start();
        const host = site.host.includes(":") ? `[${site.host}]` : site.host;
        const call = () => client(`http://${host}:${site.port}`, runner, site) as PromiseLike<T>;
        return yield* asOperation(call); // async clients run with the task as their context
      } finally {
        yield* runner.cleanup();
      }
    },
    { core: options.core ?? "wasm" },
  );
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Python's json.dumps formatting (", " and ": "), to compare bodies with aiohttp's. */
export function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(", ")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`)
      .join(", ")}}`;
  return JSON.stringify(v);
}

/** Python's repr of a str (enough for the bodies compared here). */
export function pyRepr(s: string): string {
  if (s.includes("'") && !s.includes('"')) return `"${s}"`;
  return `'${s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/'/g, "\\'")}'`;
}

/** Runs `op` and returns what it threw (null if it returned). */
export function* caught(
  op: Operation<unknown>,
): Generator<Instruction | undefined, unknown, unknown> {
  try {
    yield* op;
    return null;
  } catch (e) {
    return e;
  }
}
