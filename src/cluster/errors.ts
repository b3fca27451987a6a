// The cluster layer's typed error (STYLE §7: user errors are typed classes).

/**
 * Every worker slot of a supervisor was given up: each one's workers kept dying young
 * (`backoff.maxCrashes` deaths in a row with no healthy run between them), so the
 * supervisor stopped forking and `supervisor.closed` rejects with this. `lastExit` says
 * how the last worker ended; the app's own error is in that worker's stderr.
 *
 * @example
 * ```ts
 * const supervisor = superviseWorkers({ workers: 2, start: () => serve() });
 * try { await supervisor.closed; }
 * catch (e) { if (e instanceof WorkersGaveUpError) process.exitCode = 1; }
 * ```
 */
export class WorkersGaveUpError extends Error {
  override name = "WorkersGaveUpError";
  constructor(
    message: string,
    /** How the last worker to die ended: its exit code, or the signal that killed it. */
    readonly lastExit: { code: number | null; signal: string | null },
  ) {
    super(message);
  }
}
