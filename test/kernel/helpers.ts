// Shared helpers for the kernel tests: a virtual-clock loop whose exception handler records
// what it receives (so failing tasks never print to stderr), and small trace utilities.

import { newEventLoop, type EventLoop, type ExceptionContext } from "../../src/index.js";

export type CoreName = "wasm" | "ts";

/** A loop on the virtual clock; every report to its exception handler lands in `reports`. */
export function virtualLoop(core: CoreName): { loop: EventLoop; reports: ExceptionContext[] } {
  const loop = newEventLoop({ core, clock: "virtual" });
  const reports: ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => void reports.push(context));
  return { loop, reports };
}

/** Records every report the running loop's handler receives (for loops made by run()). */
export function recordReports(loop: EventLoop): ExceptionContext[] {
  const reports: ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => void reports.push(context));
  return reports;
}

/** "Name: message" of an error, for traces. */
export function errText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : `non-error ${String(e)}`;
}

/**
 * Runs `loop.runUntilComplete(op)`, but stops the loop if it has not finished after
 * `limitMs` of real time, so a loop that spins without progress fails the test (with "the
 * event loop stopped before the task completed") instead of hanging it. A guard only: a
 * passing run never waits for it.
 */
export async function runBounded<T>(
  loop: EventLoop,
  op: Parameters<EventLoop["runUntilComplete"]>[0],
  limitMs = 2000,
): Promise<T> {
  const guard = setTimeout(() => loop.stop(), limitMs);
  try {
    return (await loop.runUntilComplete(op)) as T;
  } finally {
    clearTimeout(guard);
  }
}
