// Servers across processes: node:cluster with a supervisor (spindle/cluster).
export { superviseWorkers, isPrimary } from "./supervise-workers.js";
export { SHUTDOWN_TIMEOUT, type ClusterOptions, type SuperviseOptions } from "./supervisor.js";
export { workerShutdownSignal } from "./shutdown-signal.js";
export { DEFAULT_BACKOFF, type BackoffOptions } from "./restart-policy.js";
export { WorkersGaveUpError } from "./errors.js";
export type { WorkerContext, WorkerStart } from "./worker.js";
export type {
  Supervisor,
  SupervisorEvent,
  SupervisorReport,
  WorkerState,
  WorkerStatus,
} from "./supervisor-types.js";
