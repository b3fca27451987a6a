// The executor: asyncio's run_in_executor / to_thread on worker threads (piscina).
export {
  getDefaultExecutor,
  runInExecutor,
  setDefaultExecutor,
  toThread,
} from "./run-in-executor.js";
export { ExecutorJob } from "./executor-job.js";
export {
  SHUTDOWN_TIMEOUT_MS,
  ThreadPoolExecutor,
  type ExecutorStats,
  type ThreadPoolExecutorOptions,
} from "./thread-pool.js";
export { ExecutorError, ExportNotFoundError, ModuleNotFoundError } from "./errors.js";
export { transfer, Transfer, type TransferItem } from "./transfer.js";
export { jobSignal } from "./worker.js";
