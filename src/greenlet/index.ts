/**
 * spindle/greenlet: Python's greenlet on generators — explicit, symmetric switching
 * between greenlets that run inside one task. This file only re-exports.
 *
 * @example
 * ```ts
 * import { run } from "spindle";
 * import { greenlet } from "spindle/greenlet";
 *
 * await run(function* () {
 *   const gr1 = greenlet(function* eat(name: string) {
 *     console.log(`${name} eat food 1`);
 *     yield* gr2.switch("alex");
 *     console.log(`${name} eat food 2`);
 *     yield* gr2.switch();
 *   });
 *   const gr2 = greenlet(function* play(name: string) {
 *     console.log(`${name} play 1`);
 *     yield* gr1.switch();
 *     console.log(`${name} play 2`);
 *   });
 *   yield* gr1.switch("egon");
 * });
 * ```
 *
 * @module
 */

export { Greenlet, getcurrent, greenlet, type GreenletFunction } from "./greenlet.js";
export { GreenletError, GreenletExit, InvalidParentError } from "./errors.js";
