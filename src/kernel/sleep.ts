import { describe } from "../errors.js";
import { Sleep, SleepWith } from "./operation.js";

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
export function sleep(ms: number): Sleep<void>;
export function sleep<T>(ms: number, value: T): Sleep<T>;
export function sleep<T>(ms: number, value?: T): Sleep<T | undefined> {
  if (typeof ms !== "number" || Number.isNaN(ms))
    throw new TypeError(`spindle: sleep needs a number of ms, got ${describe(ms)}`);
  return arguments.length < 2 ? (new Sleep(ms) as Sleep<T | undefined>) : new SleepWith(ms, value);
}
