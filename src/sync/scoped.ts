// Scoped use of a lock-like primitive: `with(body)`, JavaScript's stand-in for Python's
// `async with lock:`. Acquire, run the body in the current task, release in `finally`
// (so a failure or a cancellation inside the body still releases).
//
// Invariant: the primitive is released exactly once per successful acquire, whatever the
// body does. Cost: one generator frame around the body.

import { describe } from "../errors.js";
import { isOperation, type Instruction, type Operation } from "../kernel/operation.js";

/**
 * What `with` runs: a generator function (called after the acquire), or a generator /
 * operation.
 *
 * @example
 * ```ts
 * const body: Body<number> = function* () { yield* sleep(10); return 1; };
 * ```
 */
export type Body<R> = Operation<R> | (() => Operation<R>);

/**
 * A primitive `with` can hold: acquire as an operation, release synchronously.
 *
 * @example
 * ```ts
 * const held: Acquirable = new Semaphore(2);
 * ```
 */
export interface Acquirable {
  acquire(): Operation<boolean>;
  release(): void;
}

/**
 * Acquires `resource`, runs `body`, releases it; returns the body's result. `what` names
 * the caller in errors.
 *
 * @example
 * ```ts
 * with<R>(body: Body<R>) { return scoped("Lock.with", this, body); }
 * ```
 */
export function* scoped<R>(
  what: string,
  resource: Acquirable,
  body: Body<R>,
): Generator<Instruction | undefined, R, unknown> {
  if (typeof body !== "function" && !isOperation(body)) throw badBody(what, body);
  yield* resource.acquire();
  try {
    const op = typeof body === "function" ? body() : body;
    if (!isOperation(op)) throw badBody(what, op);
    return yield* op;
  } finally {
    resource.release();
  }
}

function badBody(what: string, got: unknown): TypeError {
  return new TypeError(
    `spindle: ${what}(body) needs a generator function or an operation ` +
      `(yield* lock.with(function* () { ... })), got ${describe(got)}`,
  );
}
