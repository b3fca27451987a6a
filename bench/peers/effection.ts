// What Effection v4 needs and does not ship, for the comparison.
//
// Effection's reducer runs every routine that is ready synchronously, one after another,
// and has no "give the turn" instruction: an operation that resolves at once continues the
// same routine without letting any other run. `sleep(0)` gives the turn, but it is a
// setTimeout (Node clamps 0 to 1 ms). So the cheapest turn is an action that resolves in a
// microtask, the exact counterpart of native `await null`. That is `turn` below, and it is
// what the bare-yield shape (1) uses for Effection.

import { action, type Operation } from "effection";

const noTeardown = (): void => {};

/**
 * Gives the turn: resumes the routine from a microtask, after every routine already woken.
 * One shared operation: an action is re-entered each time it is yielded to.
 *
 * @example
 * ```ts
 * function* worker(): Operation<void> {
 *   for (let i = 0; i < 10; i++) yield* turn;
 * }
 * ```
 */
export const turn: Operation<void> = action<void>((resolve) => {
  queueMicrotask(() => resolve());
  return noTeardown;
}, "turn");
