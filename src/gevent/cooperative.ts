// cooperative(fn): Node's Promise APIs as operations — what monkey-patching gives gevent
// (blocking calls that let the other greenlets run) is how spindle's I/O always works.

import { describe as describeValue } from "../errors.js";
import type { Instruction } from "../kernel/operation.js";
import { fromPromise } from "../combinators/from-promise.js";

/**
 * Turns a Promise-returning function into one that returns an operation: the task waits
 * for the Promise while every other greenlet and task runs. The function is called when
 * the operation starts (`yield*`), not before.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * import { lookup } from "node:dns/promises";
 * import { readFile } from "node:fs/promises";
 *
 * const gfetch = gevent.cooperative(fetch);
 * const glookup = gevent.cooperative(lookup);
 * const read = gevent.cooperative(readFile);
 * // in a greenlet:
 * const res = yield* gfetch("http://127.0.0.1:8080/");
 * const text = yield* read("a.txt", "utf8");
 * ```
 */
export function cooperative<A extends unknown[], R>(
  fn: (...args: A) => PromiseLike<R>,
): (...args: A) => Generator<Instruction | undefined, R, unknown> {
  if (typeof fn !== "function")
    throw new TypeError(`spindle/gevent: cooperative needs a function, got ${describeValue(fn)}`);
  const name = fn.name || "fn";
  const op = {
    *[name](...args: A): Generator<Instruction | undefined, R, unknown> {
      return yield* fromPromise(fn(...args));
    },
  }[name]!;
  return op;
}
