/**
 * spindle: a coroutine runtime for TypeScript on Node.js — Python's asyncio on generators,
 * on a scheduler core compiled from AssemblyScript to WebAssembly.
 *
 * A coroutine is a generator function: `yield*` is `await`, a bare `yield` gives the turn.
 *
 * @example
 * ```ts
 * import { run, sleep, gather } from "spindle";
 *
 * function* worker(name: string, n: number) {
 *   for (let i = 0; i < n; i++) {
 *     console.log(`${name}.x ${i}`);
 *     yield; // let the other task run
 *   }
 *   yield* sleep(10);
 *   return name.length;
 * }
 *
 * const total = await run(function* () {
 *   const [a, b] = yield* gather(worker("a", 3), worker("b", 3));
 *   return a + b;
 * });
 * ```
 *
 * @module
 */

export {
  CancelledError,
  DeadlockError,
  ExceptionGroup,
  InternalError,
  InvalidStateError,
  TimeoutError,
} from "./errors.js";
export {
  Attempt,
  NOT_YET,
  suspend,
  turn,
  type Coroutine,
  type Instruction,
  type Operation,
  type SuspendOptions,
  type Undo,
  type Waker,
} from "./kernel/operation.js";
export {
  EventLoop,
  DRIVE_SLICE_MS,
  MAX_HANDOFF_CHAIN,
  ExternalHold,
  asOperation,
  type CoroutineLike,
  type ExceptionContext,
  type ExceptionHandler,
  type Instrument,
  type LoopOptions,
  type LoopStats,
} from "./kernel/loop.js";
export { Task, type TaskOptions } from "./kernel/task.js";
export { Handle, TimerHandle } from "./kernel/handle.js";
export {
  allTasks,
  createTask,
  currentTask,
  ensureTask,
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  setEventLoop,
} from "./kernel/event-loop.js";
export { run, type RunOptions } from "./combinators/run.js";
export { sleep } from "./kernel/sleep.js";
export { fromPromise } from "./combinators/from-promise.js";
export { gather, type GatherOptions } from "./combinators/gather.js";
export {
  wait,
  ALL_COMPLETED,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type ReturnWhen,
  type WaitOptions,
} from "./combinators/wait.js";
export { timeout, timeoutAt, waitFor } from "./combinators/timeout.js";
export { shield } from "./combinators/shield.js";
export { asCompleted } from "./combinators/as-completed.js";
export { TaskGroup, taskGroup } from "./combinators/task-group.js";
export {
  BoundedSemaphore,
  Condition,
  Event,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  Semaphore,
  WaitNode,
  WaitQueue,
  Waiting,
  defaultOrder,
  type Body,
  type Compare,
  type ConditionStatistics,
  type EventStatistics,
  type LockStatistics,
  type PriorityQueueOptions,
  type QueueOptions,
  type QueueStatistics,
  type QueueStore,
  type SemaphoreStatistics,
} from "./sync/index.js";
// Node-only (worker threads through piscina): kept inside src/executor/.
export {
  ExecutorError,
  ExecutorJob,
  ExportNotFoundError,
  ModuleNotFoundError,
  SHUTDOWN_TIMEOUT_MS,
  ThreadPoolExecutor,
  Transfer,
  getDefaultExecutor,
  jobSignal,
  runInExecutor,
  setDefaultExecutor,
  toThread,
  transfer,
  type ExecutorStats,
  type ThreadPoolExecutorOptions,
  type TransferItem,
} from "./executor/index.js";
// streams
export {
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  DEFAULT_LIMIT,
  GaiError,
  IncompleteReadError,
  LimitOverrunError,
  OSError,
  Process,
  Server,
  StreamReader,
  StreamWriter,
  openConnection,
  openUnixConnection,
  createSubprocessExec,
  createSubprocessShell,
  osError,
  startServer,
  startUnixServer,
  type ByteSource,
  type ConnectionHandler,
  type ConnectionOptionsLike,
  type ExtraInfoName,
  type ServerOptions,
  type StreamReaderOptions,
  type StreamWriterOptions,
  type StdioOption,
  type SubprocessOptions,
} from "./streams/index.js";
