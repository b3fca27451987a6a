// superviseWorkers: one call that is the primary in the primary and the app in a worker.
// node:cluster runs the program's main script again in every worker, so the same call is
// reached on both sides; cluster.isPrimary says which one this is.

import cluster from "node:cluster";
import { InvalidStateError } from "../errors.js";
import { PrimarySupervisor, type SuperviseOptions } from "./supervisor.js";
import type { Supervisor } from "./supervisor-types.js";
import { WorkerRole } from "./worker.js";

let current: Supervisor | null = null;

/**
 * Runs a server on several processes sharing one port (node:cluster). In the primary
 * process it forks `workers` processes (`"auto"`: one per core), replaces a worker that
 * dies (after a back-off that grows while workers keep dying young, and gives up when
 * every slot keeps failing), shuts every worker down gracefully on SIGTERM/SIGINT, and
 * logs each change with the workers alive. In each worker — node:cluster runs the same
 * script again — it calls `start`, which opens the server on the shared port and stops
 * when `context.signal` aborts (a generator `start` runs as the main task of its own
 * loop, and shutdown cancels it). One supervisor per process.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { once } from "node:events";
 *
 * const supervisor = superviseWorkers({
 *   workers: "auto",
 *   start: async ({ signal }) => {
 *     const server = createServer((req, res) => res.end(`pid ${process.pid}\n`));
 *     server.listen(8080);
 *     await once(signal, "abort");
 *     await new Promise((done) => server.close(done)); // in-flight requests finish
 *   },
 * });
 * if (supervisor.role === "primary") await supervisor.closed; // until SIGTERM / Ctrl-C
 * ```
 */
export function superviseWorkers(options: SuperviseOptions): Supervisor {
  if (typeof options?.start !== "function")
    throw new TypeError("spindle: superviseWorkers needs a start function");
  if (current !== null)
    throw new InvalidStateError("spindle: superviseWorkers was already called in this process");
  current = cluster.isPrimary ? new PrimarySupervisor(options) : new WorkerRole(options.start);
  return current;
}

/**
 * True in the primary process of a cluster (or a program that never forked), false in a
 * worker that node:cluster started. The other processes of a supervisor run the same
 * script: code that must run once — a migration, a banner — checks this first.
 *
 * @example
 * ```ts
 * if (isPrimary()) console.log(`serving on http://127.0.0.1:8080 (${process.pid})`);
 * superviseWorkers({ workers: 2, start: serve });
 * ```
 */
export function isPrimary(): boolean {
  return cluster.isPrimary;
}
