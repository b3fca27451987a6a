// startServer(…, { workers }): one server across processes, through spindle/cluster.
//
// node:cluster starts the program again in every worker, so the same startServer call is
// reached in the primary and in each worker, and does a different thing in each:
//
//   primary  forks the workers and supervises them (superviseWorkers: replacement with
//            back-off, the log) until SIGTERM/SIGINT — or until its task is cancelled — has
//            stopped them all; then returns a Server that never listened, already closed,
//            so `yield* server.serveForever()` after it returns at once.
//   worker   listens on the shared port, exactly as without `workers`. On SIGTERM/SIGINT it
//            leaves the cluster (cluster.worker.disconnect(): the listening socket closes,
//            the connections open end as their handlers finish), then closes the Server —
//            serveForever() returns — and the process ends with the program's main task.
//
// spindle/cluster is imported on first use, so `import "spindle"` does not load node:cluster.

import type { Instruction } from "../kernel/operation.js";
import { fromPromise } from "../combinators/from-promise.js";
import { CancelledError } from "../errors.js";
import { serve, type ConnectionHandler, type Server, type ServerOptions } from "./server.js";

type Generated<T> = Generator<Instruction | undefined, T, unknown>;

/** startServer with `options.workers` (see the header). */
export function* serveOnWorkers(
  handler: ConnectionHandler,
  endpoint: { host: string | null; port: number },
  options: ServerOptions,
): Generated<Server> {
  const { workers, cluster: clusterOptions, ...serverOptions } = options;
  const signals = yield* fromPromise(import("../cluster/shutdown-signal.js"));
  const stop = signals.workerShutdownSignal();
  if (stop !== null) {
    const server = yield* serve(handler, endpoint, serverOptions);
    const leave = (): void => {
      // The listening socket's 'close' comes once every connection it accepted has ended.
      server.server.once("close", () => server.close());
      signals.leaveCluster();
    };
    if (stop.aborted) leave();
    else stop.addEventListener("abort", leave, { once: true });
    return server;
  }
  const { superviseWorkers } = yield* fromPromise(import("../cluster/supervise-workers.js"));
  const supervisor = superviseWorkers({
    ...clusterOptions,
    workers: workers ?? "auto",
    start: () => {
      throw new Error("unreachable: the workers run the program itself, not a start function");
    },
  });
  try {
    yield* fromPromise(supervisor.closed);
  } catch (e) {
    // The primary's task was cancelled: stop the workers (gracefully) on the way out.
    if (e instanceof CancelledError) void supervisor.shutdown().catch(() => {});
    throw e;
  }
  const closed = yield* serve(handler, endpoint, { ...serverOptions, startServing: false });
  closed.close();
  return closed;
}
