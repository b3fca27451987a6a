// Server: asyncio's start_server on a Node net/tls server. Each accepted connection becomes
// a (reader, writer) pair and a task that runs the handler, named after the peer.
//
// HOW. startServer() listens and parks its task until 'listening' or 'error' (EADDRINUSE
// and friends as OSError). While it listens the loop holds it as an outside wait. A handler
// that throws is reported through the loop's exception handler and its connection is
// aborted; the others go on. When the handler returns, its writer is closed (asyncio leaves
// that to the garbage collector, which JavaScript does not have for sockets).
//
// maxConnections: Node's own `server.maxConnections` refuses connections past the limit;
// asyncio has no such option. Here the connections past the limit wait, paused (not read),
// in `backlog` until a running one ends — accepting pauses at the application level, while
// the kernel keeps completing handshakes, bounded by the listen backlog.
//
// Invariant: `live` holds every connection whose handler task has been started and has not
// finished; `waiting` the accepted ones not started yet; the listening hold is active
// exactly while the server listens.

import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from "node:net";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";
import { CancelledError } from "../errors.js";
import { requireLoop } from "../kernel/event-loop.js";
import { asOperation, type EventLoop, type ExternalHold } from "../kernel/loop.js";
import { suspend, type Coroutine, type Instruction, type Operation } from "../kernel/operation.js";
import type { Task } from "../kernel/task.js";
import { osError } from "./errors.js";
import { peerLabel, track, wrapSocket } from "./connection.js";
import type { StreamReader } from "./stream-reader.js";
import type { StreamWriter } from "./stream-writer.js";
import type { ClusterOptions } from "../cluster/supervisor.js";
import { serveOnWorkers } from "./workers.js";

/**
 * A connection handler: a generator function or an async function of (reader, writer).
 *
 * @example
 * ```ts
 * const handler: ConnectionHandler = function* (reader, writer) {
 *   writer.write(yield* reader.read(100));
 * };
 * ```
 */
export type ConnectionHandler = (
  reader: StreamReader,
  writer: StreamWriter,
) => Coroutine<unknown> | PromiseLike<unknown> | void;

/**
 * Options of startServer / startUnixServer.
 *
 * @example
 * ```ts
 * const opts: ServerOptions = { limit: 1024, maxConnections: 100, noDelay: true };
 * ```
 */
export interface ServerOptions {
  /** The listen backlog (Node's default 511). */
  backlog?: number;
  /** Each reader's buffer limit (default 64 KiB). */
  limit?: number;
  /** Connections served at once at most; more wait, unread, until one ends. */
  maxConnections?: number;
  /** TLS: node:tls server options (key, cert, …). */
  ssl?: TlsOptions;
  /** TCP_NODELAY on accepted sockets (default true, as asyncio). */
  noDelay?: boolean;
  /** SO_KEEPALIVE on accepted sockets (default false). */
  keepAlive?: boolean;
  /** Start accepting at once (default true; false: serveForever() starts it). */
  startServing?: boolean;
  /** IPv6 only (no dual-stack) when binding "::". */
  ipv6Only?: boolean;
  // ── cluster layer: serving from several processes (src/streams/workers.ts) ──
  /**
   * startServer only: serve from this many worker processes sharing the port (node:cluster;
   * `"auto"`: one per core). In the primary, startServer then supervises the workers until
   * SIGTERM/SIGINT and returns a closed Server; in each worker it serves. See startServer.
   */
  workers?: number | "auto";
  /** With `workers`: the supervisor's options (back-off, grace period, log; spindle/cluster). */
  cluster?: ClusterOptions;
}

/** Where a server listens: a TCP host and port, or a Unix socket path. */
type Endpoint = { host: string | null; port: number } | { path: string };

/**
 * A listening server (asyncio.Server): returned by startServer and startUnixServer.
 *
 * @example
 * ```ts
 * const server = yield* startServer(handler, "127.0.0.1", 0);
 * const { port } = server.address() as AddressInfo;
 * server.close();
 * yield* server.waitClosed();
 * ```
 */
export class Server {
  private readonly live = new Set<{ task: Task<unknown>; writer: StreamWriter }>();
  private readonly waiting: Socket[] = [];
  private hold: ExternalHold | null = null;
  private serving = false;
  private closed = false;
  private netClosed = false;
  private readonly closeWaiters = new Set<() => void>();
  private readonly foreverWaiters = new Set<() => void>();
  private readonly untrack: () => void;

  /** @internal */
  constructor(
    readonly loop: EventLoop,
    /** The Node server underneath. */
    readonly server: NetServer,
    private readonly endpoint: Endpoint,
    private readonly handler: ConnectionHandler,
    private readonly options: ServerOptions,
  ) {
    // A TLS server emits 'connection' for the raw socket, then 'secureConnection'.
    const event = options.ssl !== undefined ? "secureConnection" : "connection";
    server.on(event, (socket: Socket) => this.accept(socket));
    server.on("close", () => {
      this.netClosed = true;
      this.releaseHold();
      for (const w of this.closeWaiters) w();
      this.closeWaiters.clear();
    });
    this.untrack = track(loop, { destroy: () => this.destroy() });
  }

  /**
   * The listening address (Node's server.address(): `{ address, family, port }`, or the
   * path of a Unix socket), null once closed.
   *
   * @example
   * ```ts
   * const { port } = server.address() as AddressInfo;
   * ```
   */
  address(): AddressInfo | string | null {
    return this.server.address();
  }

  /**
   * The listening sockets' addresses (asyncio's `server.sockets`; Node has one per server).
   *
   * @example
   * ```ts
   * for (const s of server.sockets) console.log(s);
   * ```
   */
  get sockets(): Array<AddressInfo | string> {
    const a = this.server.address();
    return a === null ? [] : [a];
  }

  /**
   * True while it accepts connections.
   *
   * @example
   * ```ts
   * server.isServing(); // true after startServer
   * ```
   */
  isServing(): boolean {
    return this.serving;
  }

  /**
   * The loop the server belongs to.
   *
   * @example
   * ```ts
   * server.getLoop() === getRunningLoop(); // true
   * ```
   */
  getLoop(): EventLoop {
    return this.loop;
  }

  /**
   * Connections whose handler runs now.
   *
   * @example
   * ```ts
   * server.connections; // 3
   * ```
   */
  get connections(): number {
    return this.live.size;
  }

  /**
   * Stops accepting and closes the listening socket; connections already open go on (as
   * asyncio's close()). waitClosed() waits for them.
   *
   * @example
   * ```ts
   * server.close();
   * ```
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.serving = false;
    for (const s of this.waiting.splice(0)) s.destroy();
    if (this.server.listening) this.server.close();
    else this.netClosed = true;
    this.releaseHold();
    this.untrack();
    // Connections still open keep their own holds; destroy them if the loop closes.
    if (this.live.size > 0) {
      const untrack = track(this.loop, { destroy: () => this.abortClients() });
      this.server.once("close", untrack);
    }
    for (const w of this.foreverWaiters) w();
    this.foreverWaiters.clear();
    if (this.netClosed) {
      for (const w of this.closeWaiters) w();
      this.closeWaiters.clear();
    }
  }

  /**
   * Closes every open connection gracefully (asyncio 3.13's close_clients()).
   *
   * @example
   * ```ts
   * server.close();
   * server.closeClients();
   * ```
   */
  closeClients(): void {
    for (const c of this.live) c.writer.close();
  }

  /**
   * Destroys every open connection at once (asyncio 3.13's abort_clients()).
   *
   * @example
   * ```ts
   * server.abortClients();
   * ```
   */
  abortClients(): void {
    for (const c of this.live) c.writer.abort();
  }

  /**
   * Waits until the server is closed and every connection it accepted has ended.
   *
   * @example
   * ```ts
   * server.close();
   * yield* server.waitClosed();
   * ```
   */
  waitClosed(): Operation<void> {
    return suspend<void>(
      (waker) => {
        if (this.netClosed) return void waker.resume();
        const wake = () => void waker.resume();
        this.closeWaiters.add(wake);
        return () => void this.closeWaiters.delete(wake);
      },
      { describe: "Server.waitClosed" },
    );
  }

  /**
   * Starts accepting if it was created with `startServing: false`.
   *
   * @example
   * ```ts
   * yield* server.startServing();
   * ```
   */
  *startServing(): Generator<Instruction | undefined, void, unknown> {
    if (this.serving || this.closed) return;
    yield* listen(this.server, this.endpoint, this.options);
    this.serving = true;
    this.hold = this.loop.holdExternal(`server ${describeEndpoint(this.endpoint)}`);
  }

  /**
   * Serves until the task is cancelled (asyncio's serve_forever): then closes the server.
   *
   * @example
   * ```ts
   * const server = yield* startServer(handler, "127.0.0.1", 8888);
   * yield* server.serveForever();
   * ```
   */
  *serveForever(): Generator<Instruction | undefined, void, unknown> {
    yield* this.startServing();
    try {
      yield* suspend<void>(
        (waker) => {
          if (this.closed) return void waker.resume();
          const wake = () => void waker.resume();
          this.foreverWaiters.add(wake);
          return () => void this.foreverWaiters.delete(wake);
        },
        { describe: "Server.serveForever" },
      );
    } finally {
      this.close();
    }
  }

  private accept(socket: Socket): void {
    if (this.closed || this.loop.isClosed()) {
      socket.destroy();
      return;
    }
    const max = this.options.maxConnections;
    if (max !== undefined && this.live.size >= max) {
      socket.pause();
      // A waiting socket that errors or closes meanwhile just leaves the line.
      socket.on("error", () => {});
      socket.once("close", () => {
        const i = this.waiting.indexOf(socket);
        if (i >= 0) this.waiting.splice(i, 1);
      });
      this.waiting.push(socket);
      return;
    }
    this.start(socket);
  }

  private start(socket: Socket): void {
    const o = this.options;
    if (!("path" in this.endpoint)) {
      socket.setNoDelay(o.noDelay ?? true);
      if (o.keepAlive === true) socket.setKeepAlive(true);
    }
    const unixPath =
      "path" in this.endpoint ? { sockname: this.endpoint.path, peername: "" } : undefined;
    const wrap: Parameters<typeof wrapSocket>[2] = { tls: o.ssl !== undefined };
    if (o.limit !== undefined) wrap.limit = o.limit;
    if (unixPath !== undefined) wrap.unixPath = unixPath;
    const [reader, writer] = wrapSocket(this.loop, socket, wrap);
    if (socket.isPaused()) socket.resume();
    const name = "path" in this.endpoint ? `unix:${this.endpoint.path}` : peerLabel(socket);
    const entry = { task: null as unknown as Task<unknown>, writer };
    entry.task = this.loop.createTask(handle(this.loop, this.handler, reader, writer), { name });
    this.live.add(entry);
    entry.task.onDone(() => {
      this.live.delete(entry);
      this.startWaiting();
    });
  }

  private startWaiting(): void {
    const max = this.options.maxConnections;
    while (this.waiting.length > 0 && (max === undefined || this.live.size < max)) {
      const socket = this.waiting.shift()!;
      socket.removeAllListeners("error");
      socket.removeAllListeners("close");
      if (!socket.destroyed) this.start(socket);
    }
  }

  private releaseHold(): void {
    this.hold?.release();
    this.hold = null;
  }

  /** The loop closes: nothing may outlive it. */
  private destroy(): void {
    this.close();
    this.abortClients();
  }
}

/** Runs the handler for one connection; reports its failure, closes the connection. */
function* handle(
  loop: EventLoop,
  handler: ConnectionHandler,
  reader: StreamReader,
  writer: StreamWriter,
): Generator<Instruction | undefined, void, unknown> {
  try {
    // A generator function's coroutine runs as is. Anything else goes through asOperation,
    // which calls it inside AsyncLocalStorage (so currentTask() works after an await) —
    // measured: the first such call turns on Node's async hooks for the whole process,
    // and every socket write then costs more, so generator handlers stay clear of it.
    yield* asOperation(
      isGeneratorFunction(handler)
        ? (handler(reader, writer) as Coroutine<unknown>)
        : () => handler(reader, writer) as Coroutine<unknown>,
    );
  } catch (e) {
    writer.abort();
    if (e instanceof CancelledError) throw e;
    loop.callExceptionHandler({
      message: "Unhandled exception in client_connected_cb",
      exception: e,
    });
    return;
  }
  writer.close();
}

const GENERATOR_FUNCTION_TAG = "[object GeneratorFunction]";

function isGeneratorFunction(f: unknown): boolean {
  return Object.prototype.toString.call(f) === GENERATOR_FUNCTION_TAG;
}

function describeEndpoint(e: Endpoint): string {
  return "path" in e ? `unix:${e.path}` : `${e.host ?? "*"}:${e.port}`;
}

/** Parks the task until the server listens; a bind error as Python's OSError. */
function listen(server: NetServer, endpoint: Endpoint, o: ServerOptions): Operation<void> {
  return suspend<void>(
    (waker) => {
      const onError = (e: unknown) => {
        server.off("listening", onListening);
        const where =
          "path" in endpoint
            ? endpoint.path
            : `('${endpoint.host ?? "0.0.0.0"}', ${endpoint.port})`;
        waker.fail(osError(e, `error while attempting to bind on address ${where}`));
      };
      const onListening = () => {
        server.off("error", onError);
        waker.resume();
      };
      server.once("error", onError);
      server.once("listening", onListening);
      const opts: Parameters<NetServer["listen"]>[0] =
        "path" in endpoint ? { path: endpoint.path } : { port: endpoint.port };
      if (!("path" in endpoint) && endpoint.host !== null) opts.host = endpoint.host;
      if (o.backlog !== undefined) opts.backlog = o.backlog;
      if (o.ipv6Only !== undefined) opts.ipv6Only = o.ipv6Only;
      server.listen(opts);
      return () => {
        server.off("error", onError);
        server.off("listening", onListening);
        server.close();
      };
    },
    { describe: `listen on ${describeEndpoint(endpoint)}` },
  );
}

/** @internal Builds and starts a server on a TCP or Unix endpoint. */
export function* serve(
  handler: ConnectionHandler,
  endpoint: Endpoint,
  options: ServerOptions,
): Generator<Instruction | undefined, Server, unknown> {
  if (typeof handler !== "function")
    throw new TypeError("spindle: startServer needs a handler function (reader, writer)");
  const loop = requireLoop("startServer()");
  const netOpts = { allowHalfOpen: true, pauseOnConnect: false };
  const server =
    options.ssl !== undefined
      ? // No half-open TLS: a client that hangs up mid-handshake would leave its socket
        // open forever (and asyncio closes a TLS connection at EOF anyway).
        createTlsServer(options.ssl)
      : createNetServer(netOpts);
  // A TLS handshake that fails ends that connection only; the server goes on.
  server.on("tlsClientError", (_e: unknown, socket: Socket) => socket.destroy());
  server.on("error", () => {}); // bind errors go to listen(); later ones close the server
  const s = new Server(loop, server, endpoint, handler, options);
  if (options.startServing ?? true) yield* s.startServing();
  return s;
}

/**
 * Starts a TCP server (asyncio.start_server): calls `handler(reader, writer)` as a task for
 * each connection. `host` null listens on every interface; port 0 picks a free port.
 *
 * With `options.workers` the server runs in that many processes sharing the port
 * (node:cluster, through spindle/cluster). In the primary process startServer forks and
 * supervises them until SIGTERM/SIGINT, then returns a closed Server; in each worker — the
 * same program, run again — it serves as without `workers`, and SIGTERM/SIGINT close it
 * gracefully: no new connections, the open ones end as their handlers finish, then
 * serveForever() returns (docs/scaling.md).
 *
 * @example
 * ```ts
 * function* echo(reader: StreamReader, writer: StreamWriter) {
 *   const data = yield* reader.read(100);
 *   writer.write(data);
 *   yield* writer.drain();
 *   writer.close();
 * }
 * const server = yield* startServer(echo, "127.0.0.1", 8888);
 * yield* server.serveForever();
 *
 * // The same on every core: run with the same code in each worker process.
 * const shared = yield* startServer(echo, "127.0.0.1", 8889, { workers: "auto" });
 * yield* shared.serveForever();
 * ```
 */
export function startServer(
  handler: ConnectionHandler,
  host: string | null = null,
  port = 0,
  options: ServerOptions = {},
): Operation<Server> {
  // cluster layer: `workers` runs the server across processes (src/streams/workers.ts).
  if (options.workers !== undefined) return serveOnWorkers(handler, { host, port }, options);
  return serve(handler, { host, port }, options);
}
