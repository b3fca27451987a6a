// Entry points the executor's modules share and its users do not see: symbol-keyed, so
// they stay off the public surface (and out of completion lists).

/** ThreadPoolExecutor's "submit a job" (used by ExecutorJob and submit()). */
export const START: unique symbol = Symbol("spindle.executor.start") as never;
/** ThreadPoolExecutor's "cancel a job" (used by Job.cancel()). */
export const CANCEL: unique symbol = Symbol("spindle.executor.cancel") as never;

/** Where a job's outcome goes: a task's Waker, or a Promise's resolve/reject. */
export interface JobSink {
  resume(value: unknown): unknown;
  fail(error: unknown): unknown;
}
