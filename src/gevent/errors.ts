// gevent's GreenletExit is greenlet's: one class, so a kill from either layer is caught
// the same way. Re-declared here only to carry gevent's example.

import { GreenletExit as GreenletExitClass } from "../greenlet/errors.js";

/**
 * What `kill()` raises by default: a quiet kill. A greenlet that ends by it is
 * *successful*, and its `value` is the GreenletExit (gevent's rule). The same class as
 * spindle/greenlet's GreenletExit.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const g = gevent.spawn(function* () {
 *   yield* gevent.sleep(1000);
 * });
 * yield* gevent.sleep(0);
 * yield* g.kill();
 * g.successful(); // true
 * g.value instanceof gevent.GreenletExit; // true
 * ```
 */
export const GreenletExit = GreenletExitClass;
export type GreenletExit = GreenletExitClass;
