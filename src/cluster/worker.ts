// The worker's side of superviseWorkers: run the app's start function in this process, and
// turn a shutdown request into the app's own graceful shutdown.
//
// HOW a worker stops:
//
//   primary: SIGTERM ─▶ worker.process ─┐          (or SIGINT/SIGTERM from the terminal's
//                                       ▼           process group: Ctrl-C reaches every one)
//   context.signal aborts ─▶ the app stops accepting and finishes what is in flight
//     (a generator start: its main task is cancelled, its finally blocks run)
//   start's work settles ─▶ process.exit(0)   (1 if it failed with anything but the cancel)
//
// WHY a signal and not an IPC message: a worker still loading its modules has no listener
// yet, and a message to no listener is lost, so it would sit out the whole grace period; a
// SIGTERM to it takes Node's default action — the process ends, and it was serving nothing.
// If the primary itself dies, node:cluster ends the worker when the IPC channel closes, so
// no worker outlives its primary.

import cluster from "node:cluster";
import { CancelledError } from "../errors.js";
import { createTask } from "../kernel/event-loop.js";
import { run } from "../combinators/run.js";
import { requestWorkerShutdown, workerShutdownSignal } from "./shutdown-signal.js";
import type { Supervisor, WorkerStatus } from "./supervisor-types.js";

/** The environment variable carrying a worker's slot number (set by the primary's fork). */
export const SLOT_ENV = "SPINDLE_WORKER_SLOT";

/** What a worker's start function receives. */
export interface WorkerContext {
  /** node:cluster's id of this worker (1, 2, …; a replacement gets a new one). */
  readonly id: number;
  /** The slot this worker fills, 0 … workers−1; a replacement takes the slot of the dead one. */
  readonly slot: number;
  /** Aborts when this worker is asked to shut down (its `reason` names the signal). */
  readonly signal: AbortSignal;
}

/**
 * A worker's body. A generator function runs as the main task of a fresh loop (`run()`),
 * and shutdown cancels that task: its `finally` blocks close the server gracefully. Any
 * other function may return a Promise and should stop when `context.signal` aborts. The
 * worker exits when the body's work is over.
 */
export type WorkerStart = (context: WorkerContext) => unknown;

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as unknown;

/** Runs `start` in this worker process; the Supervisor handle a worker gets. */
export class WorkerRole implements Supervisor {
  readonly role = "worker" as const;
  readonly closed: Promise<void>;

  constructor(start: WorkerStart) {
    const context: WorkerContext = {
      id: cluster.worker?.id ?? 0,
      slot: Number(process.env[SLOT_ENV] ?? 0),
      signal: workerShutdownSignal()!,
    };
    this.closed = runBody(start, context).then(
      () => exitWith(0),
      (error: unknown) => {
        // The cancel we caused is how a generator body ends a graceful shutdown.
        if (context.signal.aborted && isCancellation(error, context.signal)) return exitWith(0);
        console.error(`spindle cluster: worker ${context.id} (pid ${process.pid}) failed:`, error);
        return exitWith(1);
      },
    );
  }

  /** A worker knows only itself: the table of workers lives in the primary. */
  workers(): WorkerStatus[] {
    return [];
  }

  /** Asks this worker to shut down, as a SIGTERM does. The primary will replace it. */
  shutdown(): Promise<void> {
    requestWorkerShutdown("shutdown()");
    return this.closed;
  }
}

async function runBody(start: WorkerStart, context: WorkerContext): Promise<unknown> {
  if (!isGeneratorFunction(start)) return await start(context);
  return await run(function* () {
    const main = createTask(() => start(context) as Generator, {
      name: `worker ${context.id}`,
      signal: context.signal,
    });
    return yield* main;
  });
}

function isGeneratorFunction(fn: unknown): boolean {
  return fn instanceof (GeneratorFunction as typeof Function);
}

function isCancellation(error: unknown, signal: AbortSignal): boolean {
  return (
    error === signal.reason ||
    error instanceof CancelledError ||
    (error instanceof Error && error.name === "AbortError")
  );
}

function exitWith(code: number): void {
  // A connected cluster worker does not end on its own (the IPC channel holds it): the
  // body's work is over, so this process is.
  process.exit(code);
}
