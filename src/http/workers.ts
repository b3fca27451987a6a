// web.runApp(app, { workers }): one application across processes, through spindle/cluster.
//
// node:cluster starts the program again in every worker, so the same runApp call is reached
// in the primary and in each worker; superviseWorkers tells them apart:
//
//   primary  forks the workers and supervises them (replacement with back-off, the log);
//            SIGTERM/SIGINT shut them all down; runApp resolves once every worker has
//            stopped (and rejects with WorkersGaveUpError if every slot kept crashing)
//   worker   runs runApp without `workers`, on its own loop, stopping on the worker's
//            shutdown signal: the app's own graceful shutdown (stop accepting, close idle
//            keep-alive connections, in-flight requests get `shutdownTimeout`, then
//            onCleanup) — then the process exits
//
// The primary's grace period before SIGKILL is the app's `shutdownTimeout` (aiohttp's 60 s
// by default) plus CLEANUP_MARGIN for onShutdown/onCleanup, unless `cluster.shutdownTimeout`
// says otherwise. Only the worker of slot 0 prints the "Running on" banner.
//
// spindle/cluster is imported on first use, so spindle/http does not load node:cluster.

import type { Application } from "./application.js";
import { runApp, type RunAppOptions } from "./runner.js";

/**
 * ms the primary adds to the app's shutdownTimeout before it SIGKILLs a worker: time for
 * the cleanup callbacks after the in-flight requests (picked, not measured: cleanup is
 * closing pools and files).
 */
const CLEANUP_MARGIN = 5_000;
const AIOHTTP_SHUTDOWN_TIMEOUT = 60_000; // *Must* match AppRunner.cleanup's default

/** runApp with `options.workers` (see the header). */
export async function runAppOnWorkers(app: Application, options: RunAppOptions): Promise<void> {
  const { workers, cluster: clusterOptions, ...appOptions } = options;
  const { superviseWorkers } = await import("../cluster/supervise-workers.js");
  const print = appOptions.print === undefined ? console.log : appOptions.print;
  const supervisor = superviseWorkers({
    shutdownTimeout: (appOptions.shutdownTimeout ?? AIOHTTP_SHUTDOWN_TIMEOUT) + CLEANUP_MARGIN,
    handleSignals: appOptions.handleSignals ?? true,
    ...clusterOptions,
    workers: workers ?? "auto",
    start: ({ signal, slot }) =>
      runApp(app, {
        ...appOptions,
        signal:
          appOptions.signal === undefined ? signal : AbortSignal.any([signal, appOptions.signal]),
        handleSignals: false, // the worker's shutdown signal already covers SIGTERM/SIGINT
        print: slot === 0 ? print : null,
      }),
  });
  if (supervisor.role === "primary" && appOptions.signal !== undefined) {
    const stop = (): void => void supervisor.shutdown();
    if (appOptions.signal.aborted) stop();
    else appOptions.signal.addEventListener("abort", stop, { once: true });
  }
  await supervisor.closed;
}
