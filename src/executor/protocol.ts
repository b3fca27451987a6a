// What crosses between the main thread and the runner (src/executor/runner.js), and how the
// main thread reads it back.
//
//   main → worker   Payload { u: module URL, n: export name, a: arguments, s: slot }
//   worker → main   [OK, value] | [FAILED, ErrorDescription] | [SKIPPED]
//
// Both directions are structured-cloned by postMessage (piscina's); a transfer() marker moves
// buffers instead. Errors travel as descriptions because structured clone keeps only a
// built-in error's class, message, stack and cause: a custom class's name and an error's own
// properties (`code`, `errno`, …) would be lost.

import { ExportNotFoundError, ModuleNotFoundError } from "./errors.js";

// Outcome tags and the names a load failure travels under: defined once, in runner.js.
import { FAILED, MISSING_EXPORT, MISSING_MODULE, OK, SKIPPED } from "./states.js";
export { FAILED, MISSING_EXPORT, MISSING_MODULE, OK, SKIPPED };

/** One job, as posted to a worker. */
export interface Payload {
  /** The module's URL. */
  u: string;
  /** The export's name. */
  n: string;
  /** The arguments. */
  a: unknown[];
  /** The job's slot in the shared states (set at hand-off). */
  s: number;
}

/** What the runner returns. */
export type Outcome = [typeof OK, unknown] | [typeof FAILED, ErrorDescription] | [typeof SKIPPED];

/** A thrown value as the runner describes it. */
export type ErrorDescription =
  | { thrown: unknown }
  | {
      name: string;
      message: string;
      stack: string | undefined;
      props: Record<string, unknown>;
      cause: ErrorDescription | undefined;
    };

/** The built-in error classes a job's error is rebuilt as, by name. */
const BUILT_IN: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * The error a job threw, rebuilt on this thread: a built-in class when its name is one
 * (TypeError, RangeError, …), else an Error carrying the original name; the message, the
 * worker's stack, the cloneable own properties and the cause chain are the worker's.
 * Module and export failures become ModuleNotFoundError and ExportNotFoundError.
 */
export function rebuildError(d: ErrorDescription): unknown {
  if ("thrown" in d) return d.thrown;
  const cause = d.cause === undefined ? undefined : rebuildError(d.cause);
  if (d.name === MISSING_MODULE) {
    const url = String(d.props["url"]);
    return new ModuleNotFoundError(
      url,
      `spindle: cannot load the job module ${url} on the worker thread: ${d.message}`,
      { cause },
    );
  }
  if (d.name === MISSING_EXPORT) {
    const url = String(d.props["url"]);
    const name = String(d.props["exportName"]);
    const available = (d.props["exported"] as string[] | undefined) ?? [];
    const found = String(d.props["found"]);
    const what =
      found === "undefined" ? "no export" : `an export that is a ${found}, not a function,`;
    const list = available.length > 0 ? available.join(", ") : "none";
    return new ExportNotFoundError(
      url,
      name,
      available,
      `spindle: the job module ${url} has ${what} named "${name}" (its function exports: ${list})`,
    );
  }
  const Class = Object.hasOwn(BUILT_IN, d.name) ? BUILT_IN[d.name]! : Error;
  const error = cause === undefined ? new Class(d.message) : new Class(d.message, { cause });
  if (error.name !== d.name)
    Object.defineProperty(error, "name", {
      value: d.name,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  Object.defineProperty(error, "stack", {
    value: d.stack ?? `${d.name}: ${d.message}`,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  Object.assign(error, d.props);
  return error;
}
