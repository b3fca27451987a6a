import { describe } from "./errors.js";
import { Sleep, type Instruction } from "./operation.js";

/**
 * Suspends the task for `ms` milliseconds, then returns `value`. `sleep(0)` (or less) just
 * gives the turn, like a bare `yield`. Deadlines beyond ~275,000 years are clamped.
 *
 * @example
 * ```ts
 * yield* sleep(100);
 * const x = yield* sleep(10, "x"); // "x"
 * ```
 */
export function sleep(ms: number): Generator<Instruction | undefined, void, unknown>;
export function sleep<T>(ms: number, value: T): Generator<Instruction | undefined, T, unknown>;
export function* sleep<T>(ms: number, value?: T): Generator<Instruction | undefined, T, unknown> {
  if (typeof ms !== "number" || Number.isNaN(ms))
    throw new TypeError(`spindle: sleep needs a number of ms, got ${describe(ms)}`);
  if (ms <= 0) yield;
  else yield new Sleep(ms);
  return value as T;
}
