/**
 * spindle/gevent: gevent's names on spindle's event loop — `spawn` a function as a
 * greenlet, `join` it, `kill` it, `Timeout`s that raise themselves, `Pool` and `Group`,
 * `Event` and `AsyncResult`, and the `queue` and `lock` modules. Each greenlet is a
 * spindle task, so I/O switches by itself: what gevent's monkey-patching does is how
 * spindle's I/O always works. This file only re-exports.
 *
 * @example
 * ```ts
 * import { run } from "spindle";
 * import * as gevent from "spindle/gevent";
 *
 * function* eat(name: string) {
 *   console.log(`${name} eat food first`);
 *   yield* gevent.sleep(50);
 *   console.log(`${name} eat food second`);
 * }
 * function* play(name: string) {
 *   console.log(`${name} play phone 1`);
 *   yield* gevent.sleep(60);
 *   console.log(`${name} play phone 2`);
 * }
 *
 * await run(function* () {
 *   const g1 = gevent.spawn(eat, "egon");
 *   const g2 = gevent.spawn(play, "egon");
 *   yield* g1.join();
 *   yield* g2.join(); // after 60 ms, not 110
 * });
 * ```
 *
 * @module
 */

export { GreenletExit } from "./errors.js";
export {
  Greenlet,
  getcurrent,
  spawn,
  spawnLater,
  type GreenletFn,
  type KillOptions,
} from "./greenlet.js";
export {
  idle,
  iwait,
  joinAll,
  killAll,
  sleep,
  wait,
  type JoinAllOptions,
  type KillAllOptions,
  type WaitOptions,
  type Waitable,
} from "./hub.js";
export { Timeout, withTimeout, type WithTimeoutOptions } from "./timeout.js";
export { AsyncResult, Event } from "./event.js";
export { Group, Pool, type GroupJoinOptions } from "./pool.js";
export { cooperative } from "./cooperative.js";
export * as queue from "./queue.js";
export * as lock from "./lock.js";
export * as event from "./event.js";
export * as pool from "./pool.js";
export { Socket, SocketFile, createConnection, type Address } from "./socket.js";
export {
  STOP_TIMEOUT_MS,
  StreamServer,
  type StreamHandler,
  type StreamServerOptions,
} from "./server.js";
