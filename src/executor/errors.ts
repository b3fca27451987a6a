// The executor's typed errors (STYLE §7: user errors are typed classes). Errors a job itself
// throws are not wrapped: they come back as themselves (see protocol.ts).

/**
 * The executor could not run a job: it was shut down, its queue was full, or the worker
 * thread running the job died. The base class of ModuleNotFoundError and ExportNotFoundError.
 *
 * @example
 * ```ts
 * try { yield* runInExecutor(JOBS, "crunch", 1); }
 * catch (e) { if (e instanceof ExecutorError) console.error("executor:", e.message); }
 * ```
 */
export class ExecutorError extends Error {
  override name = "ExecutorError";
}

/**
 * A job's module could not be found on the worker thread: the file does not exist, or a
 * module it imports does not (the message says which). `module` is the URL asked for;
 * `cause` is the loader's error, with the worker's stack.
 *
 * @example
 * ```ts
 * try { yield* runInExecutor(new URL("./nope.js", import.meta.url), "f"); }
 * catch (e) { if (e instanceof ModuleNotFoundError) console.error(e.module); }
 * ```
 */
export class ModuleNotFoundError extends ExecutorError {
  override name = "ModuleNotFoundError";
  constructor(
    /** The module's URL, as the worker imported it. */
    readonly module: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A job's module loaded, but exports no function under the name asked for. `available`
 * lists the functions it does export.
 *
 * @example
 * ```ts
 * try { yield* runInExecutor(JOBS, "crunsh", 1); } // a typo
 * catch (e) { if (e instanceof ExportNotFoundError) console.error(e.available); } // ["crunch"]
 * ```
 */
export class ExportNotFoundError extends ExecutorError {
  override name = "ExportNotFoundError";
  constructor(
    /** The module's URL. */
    readonly module: string,
    /** The export asked for. */
    readonly exportName: string,
    /** The names of the functions the module exports. */
    readonly available: readonly string[],
    message: string,
  ) {
    super(message);
  }
}
