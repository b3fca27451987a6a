// The request handler between node:http and the application. node:http (llhttp) parses;
// each request becomes a task on the spindle loop running the matched route's handler
// inside its middlewares, and the response it returns is written back. The task is the
// request's lifetime: a client that goes away before the response is written cancels it
// (its finally blocks run), and graceful shutdown waits for the set of these tasks.
//
// Faults answer with a status and never reach the process: an exception from a handler is
// a 500 (reported to the loop's exception handler, as aiohttp logs "Error handling
// request"), an HTTP exception is its own status, a header value with CR or LF is refused
// (500), a body past clientMaxSize is a 413 and the connection closes. Malformed requests
// (400), oversized heads (431) and heads that do not arrive within `headersTimeout`
// (slowloris; 408) are answered by node:http itself before any task exists.

import {
  createServer,
  ServerResponse,
  type IncomingMessage,
  type Server as NodeServer,
} from "node:http";
import type { Socket } from "node:net";
import {
  CancelledError,
  suspend,
  type EventLoop,
  type Instruction,
  type Operation,
  type Task,
} from "../index.js";
import type { Application } from "./application.js";
import { HTTPException } from "./exceptions.js";
import { call, chain, type HandlerResult } from "./handler.js";
import { Request } from "./request.js";
import { Response, sendWhole, StreamResponse } from "./response.js";
import { MatchInfo } from "./router.js";

/** Connection limits and timeouts of the server (ms). */
export interface ServerOptions {
  /** The request head must arrive within this (slowloris bound; 408 after). Default 20 000. */
  headersTimeout?: number;
  /** The whole request must arrive within this (default 300 000, Node's; 0 = none). */
  requestTimeout?: number;
  /** An idle keep-alive connection closes after this (default 75 000, aiohttp's). */
  keepAliveTimeout?: number;
  /** How often Node checks the two deadlines above (default 1000). */
  connectionsCheckingInterval?: number;
  /** The largest request head in bytes (431 past it; default 16 KiB, Node's). */
  maxHeaderSize?: number;
  /** Graceful shutdown: how long in-flight requests may take to finish (default 60 000). */
  shutdownTimeout?: number;
}

/** A connection's requests in flight, kept on its socket. */
const IN_FLIGHT = Symbol("spindle.http.inFlight");

const ERROR_500 = "500 Internal Server Error\n\nServer got itself in trouble";

/** @internal One application served on one loop; sites (listening servers) share it. */
export class RequestHandler {
  /** The tasks of the requests in flight. */
  /** Requests in flight (their tasks are in `connections` and `upgrades`). */
  inFlightCount = 0;
  /** Per open connection, its requests in flight. */
  private readonly connections = new Set<Task<void>[]>();
  /** The requests in flight that came as upgrades (WebSockets). */
  private readonly upgrades: Task<void>[] = [];
  private readonly nodeServers = new Set<NodeServer>();
  private idleWaiter: (() => void) | null = null;
  private closing = false;

  constructor(
    readonly app: Application,
    readonly loop: EventLoop,
    readonly options: ServerOptions,
  ) {}

  /** A node:http server whose requests run on this handler's loop. */
  createNodeServer(): NodeServer {
    const o = this.options;
    const server = createServer(
      {
        maxHeaderSize: o.maxHeaderSize,
        headersTimeout: o.headersTimeout ?? 20_000,
        requestTimeout: o.requestTimeout ?? 300_000,
        keepAliveTimeout: o.keepAliveTimeout ?? 75_000,
        connectionsCheckingInterval: o.connectionsCheckingInterval ?? 1000,
        // Node's headersTimeout must not exceed requestTimeout; 0 means none.
      },
      this.onRequest,
    );
    server.on("upgrade", this.onUpgrade);
    this.nodeServers.add(server);
    server.once("close", () => this.nodeServers.delete(server));
    return server;
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.closing) res.shouldKeepAlive = false;
    this.start(req, res, null);
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    // An Upgrade request goes through the routes too; a WebSocketResponse takes the socket
    // over, any other response is written on it as usual (then the socket closes).
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once("finish", () => {
      res.detachSocket(socket);
      socket.end();
    });
    socket.on("error", () => socket.destroy());
    this.start(req, res, { socket, head });
  };

  private start(req: IncomingMessage, res: ServerResponse, upgrade: Request["_upgrade"]): void {
    const task = this.loop.createTask(this.handle(req, res, upgrade));
    this.inFlightCount++;
    // Each connection keeps its requests in flight in a small array on its socket (usually
    // one; a few when pipelined), and one 'close' listener per connection — not per request:
    // keep-alive connections carry many — cancels them: the client went away. No per-request
    // Set: hashing a fresh Task for a Set costs more than the rest of this bookkeeping.
    // (An upgrade keeps its own list: a WebSocket's close is a message to its handler.)
    let tasks: Task<void>[];
    if (upgrade === null) {
      const socket = req.socket as Socket & { [IN_FLIGHT]?: Task<void>[] };
      let own = socket[IN_FLIGHT];
      if (own === undefined) {
        const list: Task<void>[] = (own = socket[IN_FLIGHT] = []);
        this.connections.add(list);
        socket.once("close", () => {
          this.connections.delete(list);
          for (const t of list.slice()) t.cancel("client disconnected");
        });
      }
      tasks = own;
    } else tasks = this.upgrades;
    tasks.push(task);
    task.onDone(() => {
      const i = tasks.indexOf(task);
      if (i >= 0) tasks.splice(i, 1);
      if (--this.inFlightCount === 0 && this.idleWaiter !== null) this.idleWaiter();
    });
  }

  /** The tasks of every request in flight. */
  get inFlight(): Task<void>[] {
    return [...this.upgrades, ...[...this.connections].flat()];
  }

  private *handle(
    req: IncomingMessage,
    res: ServerResponse,
    upgrade: Request["_upgrade"],
  ): Generator<Instruction | undefined, void, unknown> {
    const app = this.app;
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const found = app.router.resolve(req.method ?? "GET", q < 0 ? url : url.slice(0, q));
    let result: HandlerResult;
    let request: Request | undefined;
    try {
      if (found.route !== null) {
        const route = found.route;
        request = new Request(
          req,
          res,
          route.app!,
          MatchInfo.of(found.params, route),
          route.app!.clientMaxSize,
          upgrade,
        );
        result =
          route._chain !== undefined
            ? yield* route._chain(request)
            : route._generator
              ? yield* route.handler(request) as Generator<
                  Instruction | undefined,
                  HandlerResult,
                  unknown
                >
              : yield* call(route.handler, request);
      } else {
        request = new Request(req, res, app, new MatchInfo([], null), app.clientMaxSize, upgrade);
        const error = found.error;
        if (app.middlewares.length === 0) throw error;
        result = yield* chain(() => {
          throw error;
        }, app.middlewares)(request);
      }
    } catch (e) {
      if (e instanceof HTTPException) result = e;
      // Cancelled: the client went away, or shutdown ran out of time: nothing to answer.
      else if (e instanceof CancelledError) throw e;
      else {
        this.report(e, req);
        result = internalError();
      }
    }
    if (result instanceof StreamResponse) {
      if (result._prepareOnReturn && result._res === null) {
        // A FileResponse: sending it is an operation (send stats the file, then streams it).
        try {
          yield* result._prepare(request!);
        } catch (e) {
          if (e instanceof CancelledError) throw e;
          if (e instanceof HTTPException) result = e;
          else {
            this.report(e, req);
            result = internalError();
          }
        }
      }
      if (result instanceof StreamResponse && result._detached) return; // a WebSocket owns the socket
    }
    this.finish(res, result, req);
  }

  /** Writes what the handler returned (a prepared StreamResponse is only ended). */
  private finish(res: ServerResponse, result: unknown, req: IncomingMessage): void {
    if (res.destroyed) return;
    try {
      if (result instanceof Response) {
        if (result._res === null)
          sendWhole(
            res,
            result.status,
            result.reason,
            result._maybeHeaders,
            result._type,
            result.body,
          );
      } else if (result instanceof StreamResponse) {
        if (result._res === null)
          sendWhole(res, result.status, result.reason, result._maybeHeaders, undefined, undefined);
        else if (!res.writableEnded) res.end();
      } else if (result instanceof HTTPException) {
        const headers = new Headers(result.headers);
        if (result.status === 413) res.shouldKeepAlive = false;
        sendWhole(
          res,
          result.status,
          result.reason,
          headers,
          result.contentType,
          result.body ?? result.text,
        );
      } else {
        throw new TypeError(`spindle/http: a handler returned ${String(result)}, not a response`);
      }
    } catch (e) {
      this.report(e, req);
      if (!res.headersSent) {
        res.removeHeader("content-type");
        sendWhole(
          res,
          500,
          "Internal Server Error",
          undefined,
          "text/plain; charset=utf-8",
          ERROR_500,
        );
      } else res.destroy();
    }
  }

  private report(e: unknown, req: IncomingMessage): void {
    this.loop.callExceptionHandler({
      message: `Error handling request ${req.method} ${req.url}`,
      exception: e,
    });
  }

  /**
   * Graceful shutdown: stop accepting, close idle keep-alive connections, let in-flight
   * requests finish within `timeout` ms, then cancel what is left and close every
   * connection.
   */
  *shutdown(timeout: number): Generator<Instruction | undefined, void, unknown> {
    this.closing = true;
    for (const s of this.nodeServers) {
      s.close();
      s.closeIdleConnections();
    }
    if (this.inFlightCount > 0) yield* this.waitIdle(timeout);
    for (const t of this.inFlight) t.cancel("server shutdown");
    for (const s of this.nodeServers) s.closeAllConnections();
    // Let cancelled handlers run their finally blocks.
    if (this.inFlightCount > 0) yield* this.waitIdle(1000);
  }

  private waitIdle(timeout: number): Operation<void> {
    return suspend<void>(
      (waker) => {
        const timer = this.loop.callLater(timeout, () => {
          this.idleWaiter = null;
          waker.resume();
        });
        this.idleWaiter = () => {
          timer.cancel();
          this.idleWaiter = null;
          waker.resume();
        };
        return () => {
          timer.cancel();
          this.idleWaiter = null;
        };
      },
      { describe: "in-flight requests to finish" },
    );
  }
}

function internalError(): HTTPException {
  const e = new HTTPException({ text: ERROR_500 });
  return e;
}
