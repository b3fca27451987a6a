// gevent's StreamServer on spindle's streams server: each connection's handler runs as a
// gevent Greenlet in the server's Group (or Pool: its size caps the handlers at once, and
// connections past it wait unread, as the streams server's maxConnections does).

import type { AddressInfo } from "node:net";
import { describe as describeValue } from "../errors.js";
import type { Instruction, Operation } from "../kernel/operation.js";
import { startServer, type Server } from "../streams/server.js";
import type { ClusterOptions } from "../cluster/supervisor.js";
import type { StreamReader } from "../streams/stream-reader.js";
import type { StreamWriter } from "../streams/stream-writer.js";
import type { Greenlet } from "./greenlet.js";
import { Event } from "./event.js";
import { done } from "./linkable.js";
import { Group, Pool } from "./pool.js";
import { Socket, type Address } from "./socket.js";

/** A connection handler: `handle(socket, address)`, a generator, async or plain function. */
export type StreamHandler = (
  socket: Socket,
  address: Address,
) => Iterator<unknown, unknown, unknown> | PromiseLike<unknown> | unknown;

/** StreamServer's options. */
export interface StreamServerOptions {
  /** A Pool (or its size) capping the handlers running at once (gevent's `spawn=Pool(n)`). */
  pool?: Pool | number;
  /** The listen backlog. */
  backlog?: number;
  // ── cluster layer: serving from several processes (startServer's `workers`) ──
  /**
   * Serve from this many worker processes sharing the port (node:cluster; `"auto"`: one per
   * core). In the primary, start() then supervises the workers until SIGTERM/SIGINT and the
   * server ends closed; in each worker it serves, and SIGTERM/SIGINT stop it gracefully.
   */
  workers?: number | "auto";
  /** With `workers`: the supervisor's options (back-off, grace period, log; spindle/cluster). */
  cluster?: ClusterOptions;
}

/** How long stop() lets handlers finish before killing them (gevent's stop_timeout). */
export const STOP_TIMEOUT_MS = 1000;

/**
 * gevent.server.StreamServer: listens on `[host, port]` (port 0: any free one) and calls
 * `handle(socket, address)` in a new greenlet for each connection. `yield* start()` then
 * `address` says where it listens; `yield* serveForever()` serves until `stop()`.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * function* talk(conn: gevent.Socket, addr: gevent.Address) {
 *   for (;;) {
 *     const res = yield* conn.recv(1024);
 *     if (res.length === 0) break;
 *     yield* conn.send(res.toString().toUpperCase());
 *   }
 *   conn.close();
 * }
 * const server = new gevent.StreamServer(["127.0.0.1", 8080], talk, { pool: 100 });
 * yield* server.serveForever();
 * ```
 */
export class StreamServer {
  /** The handlers' greenlets (a Pool if `pool` was given). */
  readonly group: Group;
  private server: Server | null = null;
  private stopped = false;
  /** Set once stop() has finished (or close() was called): serveForever returns then. */
  private stopDone = new Event();
  private readonly listener: Address;

  constructor(
    listener: Address,
    private readonly handle: StreamHandler,
    private readonly options: StreamServerOptions = {},
  ) {
    if (!Array.isArray(listener) || listener.length !== 2)
      throw new TypeError(
        `spindle/gevent: StreamServer listens on [host, port], got ${describeValue(listener)}`,
      );
    if (typeof handle !== "function")
      throw new TypeError(`spindle/gevent: StreamServer needs a handle function`);
    this.listener = [listener[0], listener[1]];
    const pool = options.pool;
    this.group = pool === undefined ? new Group() : pool instanceof Pool ? pool : new Pool(pool);
  }

  /** Where it listens: `[host, port]` with the real port once started. */
  get address(): Address {
    const a = this.server?.address();
    if (a !== null && a !== undefined && typeof a === "object")
      return [(a as AddressInfo).address, (a as AddressInfo).port];
    return this.listener;
  }

  /** The host it listens on. */
  get serverHost(): string {
    return this.address[0];
  }

  /** The port it listens on. */
  get serverPort(): number {
    return this.address[1];
  }

  /** True once it has started (and not stopped). */
  get started(): boolean {
    return this.server !== null && !this.stopped;
  }

  /** True when not listening: before start() and after stop(). */
  get closed(): boolean {
    return this.server === null || this.stopped;
  }

  /**
   * Starts listening (accepting in the background).
   *
   * @example
   * ```ts
   * yield* server.start();
   * console.log(server.address); // ["127.0.0.1", 40123]
   * ```
   */
  *start(): Generator<Instruction | undefined, void, unknown> {
    if (this.server !== null) return;
    const size = this.group instanceof Pool ? this.group.poolSize : Infinity;
    this.server = yield* startServer(
      (reader, writer) => this.serveOne(reader, writer),
      this.listener[0],
      this.listener[1],
      {
        ...(Number.isFinite(size) ? { maxConnections: size } : {}),
        ...(this.options.backlog === undefined ? {} : { backlog: this.options.backlog }),
        // cluster layer: see StreamServerOptions.workers.
        ...(this.options.workers === undefined
          ? {}
          : { workers: this.options.workers, cluster: this.options.cluster }),
      },
    );
    this.stopped = false;
    this.stopDone = new Event();
  }

  private *serveOne(
    reader: StreamReader,
    writer: StreamWriter,
  ): Generator<Instruction | undefined, void, unknown> {
    const socket = new Socket(reader, writer);
    let g: Greenlet<unknown> | null = null;
    try {
      g = yield* this.group.spawn(this.handle, socket, socket.getpeername());
      yield* g.join();
    } finally {
      if (g !== null && !g.ready()) g.kill(undefined, { block: false });
    }
  }

  /**
   * Starts if needed, then serves until `stop()` (or until the task is cancelled, which
   * stops it).
   *
   * @example
   * ```ts
   * yield* server.serveForever();
   * ```
   */
  *serveForever(): Generator<Instruction | undefined, void, unknown> {
    yield* this.start();
    try {
      yield* this.server!.serveForever();
    } finally {
      if (!this.stopped) yield* this.stop();
    }
    yield* this.stopDone.wait();
  }

  /**
   * Stops accepting, at once; `yield*` it to also wait up to `timeout` ms (default
   * STOP_TIMEOUT_MS) for the handlers to finish, then kill the ones left.
   *
   * @example
   * ```ts
   * yield* server.stop();
   * ```
   */
  stop(timeout: number = STOP_TIMEOUT_MS): Operation<void> {
    if (this.server === null || this.stopped) return done(undefined);
    this.stopped = true;
    this.server.close();
    return this.finish(timeout);
  }

  private *finish(timeout: number): Generator<Instruction | undefined, void, unknown> {
    try {
      if (!(yield* this.group.join({ timeout }))) yield* this.group.kill();
      yield* this.server!.waitClosed();
    } finally {
      this.stopDone.set();
    }
  }

  /**
   * Stops accepting without waiting for the handlers (gevent's close()).
   *
   * @example
   * ```ts
   * server.close();
   * ```
   */
  close(): void {
    if (this.server === null || this.stopped) return;
    this.stopped = true;
    this.server.close();
    this.stopDone.set();
  }

  toString(): string {
    return `<StreamServer ${this.address.join(":")} ${this.closed ? "closed" : "listening"}>`;
  }
}
