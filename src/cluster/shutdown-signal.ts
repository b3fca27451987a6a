// A worker's shutdown request, as an AbortSignal: SIGTERM (what the primary sends) or SIGINT
// (Ctrl-C reaches every process of the terminal's group). One per process, made on first use,
// so every part of a worker — superviseWorkers' start, a server started with `workers`, the
// app's own code — sees the same request.

import cluster from "node:cluster";
import { CancelledError } from "../errors.js";

let controller: AbortController | null = null;

/**
 * In a worker process of a cluster: an AbortSignal that aborts when this worker is asked to
 * shut down (SIGTERM from the primary, or SIGINT/SIGTERM from the terminal), its `reason` a
 * CancelledError naming the signal. The first call installs the SIGTERM and SIGINT
 * listeners (replacing Node's default of ending the process at once). In the primary, or a
 * program that never forked: `null` — there, signals are the supervisor's or yours.
 *
 * @example
 * ```ts
 * const stop = workerShutdownSignal();
 * stop?.addEventListener("abort", () => server.close()); // finish in-flight work, then exit
 * ```
 */
export function workerShutdownSignal(): AbortSignal | null {
  if (cluster.isPrimary) return null;
  if (controller === null) {
    const c = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      if (!c.signal.aborted) c.abort(new CancelledError(`worker shutdown (${signal})`));
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    controller = c;
  }
  return controller.signal;
}

/** Asks this worker to shut down, as a SIGTERM would (the primary will replace it). */
export function requestWorkerShutdown(reason: string): void {
  workerShutdownSignal();
  if (controller !== null && !controller.signal.aborted)
    controller.abort(new CancelledError(`worker shutdown (${reason})`));
}

/**
 * Leaves the cluster, for a worker whose program ends on its own once its servers have
 * closed (startServer with `workers`): cluster.worker.disconnect() closes this worker's
 * listening sockets, waits until their connections have ended, then closes the IPC channel
 * to the primary — which otherwise keeps a worker process alive forever.
 */
export function leaveCluster(): void {
  if (cluster.worker?.isConnected() === true) cluster.worker.disconnect();
}
