// Operations that async code can await too. A handler may be a generator function (it
// writes `yield* request.text()`) or an async function (it writes `await request.text()`):
// the HTTP layer's waiting methods return a Dual, which is both an Operation and a
// PromiseLike. Awaiting one runs it as a task on the running loop (one task more than
// `yield*`, which runs it inline in the current task).

import { createTask, type Instruction, type Operation } from "../index.js";

/** An operation that async code can also `await`. */
export class Dual<T> implements Operation<T>, PromiseLike<T> {
  constructor(
    private readonly body: () => Operation<T> | Iterator<Instruction | undefined, T, unknown>,
  ) {}

  [Symbol.iterator](): Iterator<Instruction | undefined, T, unknown> {
    const op = this.body();
    return Symbol.iterator in op ? op[Symbol.iterator]() : op;
  }

  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return createTask(this[Symbol.iterator]()).then(onFulfilled, onRejected);
  }
}

/** Wraps a generator function's call as a Dual. */
export function dual<T>(
  body: () => Operation<T> | Iterator<Instruction | undefined, T, unknown>,
): Dual<T> {
  return new Dual(body);
}
