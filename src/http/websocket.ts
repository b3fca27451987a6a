// WebSockets on `ws`: ws does the handshake and the framing; this file puts its events
// behind aiohttp's interface. Messages wait in a queue until a task takes them with
// receive() (a wake-up is not a delivery: a cancelled receiver leaves the message for the
// next one). Sends wait for ws's write callback. A heartbeat pings every `heartbeat` ms and
// closes a peer that does not answer within half of it.
//
// The server side, WebSocketResponse, takes the request's socket over in prepare(); its
// handler's task owns the connection: when the task ends — returned, failed or cancelled
// (the client went away, shutdown) — the socket closes cleanly (1000, or 1001 when
// cancelled, aiohttp's GOING_AWAY), if the handler did not close it.

import { STATUS_CODES } from "node:http";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { currentTask, suspend, type Instruction, type Operation } from "../index.js";
import { HTTPBadRequest } from "./exceptions.js";
import { dual, type Dual } from "./op.js";
import type { Request } from "./request.js";
import { StreamResponse } from "./response.js";

/**
 * Message types (aiohttp's WSMsgType, same numbers).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * const isText = (m: web.WSMessage) => m.type === web.WSMsgType.TEXT;
 * ```
 */
export const WSMsgType = {
  TEXT: 1,
  BINARY: 2,
  PING: 9,
  PONG: 10,
  CLOSE: 8,
  CLOSING: 256,
  CLOSED: 257,
  ERROR: 258,
} as const;
/** One of WSMsgType's values. */
export type WSMsgTypeValue = (typeof WSMsgType)[keyof typeof WSMsgType];

/**
 * Close codes (aiohttp's WSCloseCode).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * // yield* ws.close({ code: web.WSCloseCode.GOING_AWAY, message: "bye" });
 * console.log(web.WSCloseCode.OK); // 1000
 * ```
 */
export const WSCloseCode = {
  OK: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  ABNORMAL_CLOSURE: 1006,
  INVALID_TEXT: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
} as const;

/**
 * A message received (aiohttp's WSMessage): `data` is the text, the bytes, the close code
 * or the error; `extra` the close reason.
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function show(msg: web.WSMessage) {
 *   if (msg.type === web.WSMsgType.TEXT) console.log(msg.data);
 * }
 * ```
 */
export class WSMessage {
  constructor(
    readonly type: WSMsgTypeValue,
    readonly data: string | Buffer | number | Error | null,
    readonly extra: string | null = null,
  ) {}
  /** The data parsed as JSON (a TEXT or BINARY message). */
  json<T = unknown>(): T {
    return JSON.parse(String(this.data)) as T;
  }
}

/** Options of WebSocketResponse and wsConnect. */
export interface WebSocketOptions {
  /** Ping every `heartbeat` ms; close a peer that does not pong within half of it. */
  heartbeat?: number;
  /** The largest message in bytes (default 4 MiB, aiohttp's). */
  maxMsgSize?: number;
  /** Subprotocols offered (client) or accepted (server). */
  protocols?: string[];
}

const RECEIVE_WAIT = { describe: "a WebSocket message" } as const;

/** aiohttp's default max_msg_size: 4 MiB. */
const DEFAULT_MAX_MSG_SIZE = 4 * 1024 * 1024;

/**
 * The side of a WebSocket a task talks to (server or client): receive, send, close.
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* echo(ws: web.WebSocketConnection) {
 *   for (;;) {
 *     const msg = yield* ws.receive();
 *     if (msg.type !== web.WSMsgType.TEXT) break;
 *     yield* ws.sendStr(`echo: ${String(msg.data)}`);
 *   }
 * }
 * ```
 */
export class WebSocketConnection {
  /** @internal */
  _ws: WebSocket | null = null;
  private readonly queue: WSMessage[] = [];
  private waiter: { resume(v: void): boolean } | null = null;
  private _closeCode: number | null = null;
  private _exception: Error | null = null;
  private finished = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;

  constructor(readonly wsOptions: WebSocketOptions = {}) {}

  /** @internal Starts listening on an open ws socket. */
  _attach(ws: WebSocket): void {
    this._ws = ws;
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      this.push(
        isBinary
          ? new WSMessage(WSMsgType.BINARY, buf)
          : new WSMessage(WSMsgType.TEXT, buf.toString("utf8")),
      );
    });
    ws.on("close", (code: number, reason: Buffer) => {
      this.stopHeartbeat();
      this._closeCode ??= code;
      this.push(new WSMessage(WSMsgType.CLOSE, code, reason.toString("utf8")));
      this.finished = true;
      this.wake();
    });
    ws.on("error", (e: Error) => {
      this._exception = e;
      this.push(new WSMessage(WSMsgType.ERROR, e));
    });
    const hb = this.wsOptions.heartbeat;
    if (hb !== undefined && hb > 0) {
      let alive = true;
      ws.on("pong", () => (alive = true));
      this.heartbeatTimer = setInterval(() => {
        if (!alive) {
          this._closeCode = WSCloseCode.ABNORMAL_CLOSURE;
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, hb);
      this.heartbeatTimer.unref();
    }
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private push(msg: WSMessage): void {
    this.queue.push(msg);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.resume();
  }

  /** True once the connection closed (or is closing). */
  get closed(): boolean {
    return this._ws === null || this._ws.readyState >= WebSocket.CLOSING;
  }

  /** The close code, once closed. */
  get closeCode(): number | null {
    return this._closeCode;
  }

  /** The error that broke the connection, or null. */
  exception(): Error | null {
    return this._exception;
  }

  /** The negotiated subprotocol ("" if none). */
  get protocol(): string {
    return this._ws?.protocol ?? "";
  }

  /**
   * The next message. After the CLOSE message, every call returns a CLOSED one. `timeout`
   * in ms (then a TimeoutError-like Error).
   */
  receive(): Dual<WSMessage> {
    return dual(
      function* (this: WebSocketConnection) {
        for (;;) {
          const msg = this.queue.shift();
          if (msg !== undefined) return msg;
          if (this.finished || this._ws === null) return new WSMessage(WSMsgType.CLOSED, null);
          yield* this.park();
        }
      }.bind(this),
    );
  }

  private park(): Operation<void> {
    return suspend<void>((waker) => {
      this.waiter = waker;
      return () => {
        if (this.waiter === waker) this.waiter = null;
      };
    }, RECEIVE_WAIT);
  }

  /** The next TEXT message's data; throws on any other type. */
  receiveStr(): Dual<string> {
    return dual(
      function* (this: WebSocketConnection) {
        const msg = yield* this.receive();
        if (msg.type !== WSMsgType.TEXT)
          throw new TypeError(`spindle/http: expected a TEXT message, got type ${msg.type}`);
        return msg.data as string;
      }.bind(this),
    );
  }

  /** The next TEXT message parsed as JSON. */
  receiveJson<T = unknown>(): Dual<T> {
    return dual(
      function* (this: WebSocketConnection) {
        return JSON.parse(yield* this.receiveStr()) as T;
      }.bind(this),
    );
  }

  /** Sends a TEXT message. */
  sendStr(data: string): Dual<void> {
    return dual(() => this.send(data, false));
  }
  /** Sends a BINARY message. */
  sendBytes(data: Uint8Array): Dual<void> {
    return dual(() => this.send(data, true));
  }
  /** Sends `data` as JSON in a TEXT message. */
  sendJson(data: unknown): Dual<void> {
    return dual(() => this.send(JSON.stringify(data), false));
  }

  private send(data: string | Uint8Array, binary: boolean): Operation<void> {
    return suspend<void>(
      (waker) => {
        const ws = this._ws;
        if (ws === null || ws.readyState !== WebSocket.OPEN) {
          waker.fail(new Error("spindle/http: the WebSocket is not open"));
          return;
        }
        ws.send(data, { binary }, (e) => void (e ? waker.fail(e) : waker.resume()));
      },
      { describe: "a WebSocket send" },
    );
  }

  /** Sends a ping. */
  ping(data?: Uint8Array): void {
    this._ws?.ping(data);
  }

  /** Closes with `code` (default 1000) and waits until the peer answered or the socket ended. */
  close(options: { code?: number; message?: string } = {}): Dual<boolean> {
    return dual(
      function* (this: WebSocketConnection) {
        const ws = this._ws;
        if (ws === null || ws.readyState === WebSocket.CLOSED) return false;
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
          this._closeCode = options.code ?? WSCloseCode.OK;
          ws.close(this._closeCode, options.message);
        }
        while (!this.finished) yield* this.park();
        return true;
      }.bind(this),
    );
  }

  /** Async iteration over the messages until the connection closes (aiohttp's `async for`). */
  async *[Symbol.asyncIterator](): AsyncGenerator<WSMessage, void, unknown> {
    for (;;) {
      const msg = await this.receive();
      if (
        msg.type === WSMsgType.CLOSE ||
        msg.type === WSMsgType.CLOSED ||
        msg.type === WSMsgType.ERROR
      )
        return;
      yield msg;
    }
  }

  /**
   * The messages until the connection closes, for a generator handler:
   * `for (const next of ws.messages()) { const msg = yield* next; ... }`. Each item is an
   * operation giving the next message; the iteration ends after CLOSE.
   */
  *messages(): Generator<Operation<WSMessage>, void, unknown> {
    let done = false;
    const receive = (): Dual<WSMessage> => this.receive();
    while (!done) {
      yield {
        *[Symbol.iterator]() {
          const msg = yield* receive();
          if (
            msg.type === WSMsgType.CLOSE ||
            msg.type === WSMsgType.CLOSED ||
            msg.type === WSMsgType.ERROR
          )
            done = true;
          return msg;
        },
      } as Operation<WSMessage>;
    }
  }
}

/**
 * The server side of a WebSocket (aiohttp's web.WebSocketResponse): prepare() answers the
 * handshake, then the handler receives and sends until the connection closes.
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* echo(request: web.Request) {
 *   const ws = new web.WebSocketResponse({ heartbeat: 30_000 });
 *   yield* ws.prepare(request);
 *   for (;;) {
 *     const msg = yield* ws.receive();
 *     if (msg.type !== web.WSMsgType.TEXT) break;
 *     yield* ws.sendStr(`echo: ${String(msg.data)}`);
 *   }
 *   return ws;
 * }
 * ```
 */
export class WebSocketResponse extends StreamResponse {
  readonly connection: WebSocketConnection;

  constructor(readonly wsOptions: WebSocketOptions = {}) {
    super({ status: 101 });
    this.connection = new WebSocketConnection(wsOptions);
  }

  /** @internal The handshake: ws takes the socket over. */
  override *_prepare(request: Request): Generator<Instruction | undefined, void, unknown> {
    const upgrade = request._upgrade;
    if (upgrade === null || (request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket")
      throw new HTTPBadRequest({ text: "No WebSocket UPGRADE hdr" });
    const protocols = this.wsOptions.protocols ?? [];
    const res = request._res;
    res.detachSocket(upgrade.socket);
    this._detached = true;
    this._res = res;
    const ws = yield* suspend<WebSocket>(
      (waker) => {
        const server = new WebSocketServer({
          noServer: true,
          clientTracking: false,
          maxPayload: this.wsOptions.maxMsgSize ?? DEFAULT_MAX_MSG_SIZE,
          handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false,
        });
        server.handleUpgrade(
          request.message,
          upgrade.socket,
          upgrade.head,
          (socket) => void waker.resume(socket),
        );
        return () => upgrade.socket.destroy();
      },
      { describe: "a WebSocket handshake" },
    );
    this.connection._attach(ws);
    // The handler's task owns the connection: when it ends, the socket closes.
    const task = currentTask();
    task?.onDone((t) => {
      if (ws.readyState === WebSocket.OPEN)
        ws.close(
          t.cancelled() ? WSCloseCode.GOING_AWAY : WSCloseCode.OK,
          t.cancelled() ? "server going away" : undefined,
        );
    });
  }

  /** See WebSocketConnection.receive. */
  receive(): Dual<WSMessage> {
    return this.connection.receive();
  }
  /** See WebSocketConnection.receiveStr. */
  receiveStr(): Dual<string> {
    return this.connection.receiveStr();
  }
  /** See WebSocketConnection.receiveJson. */
  receiveJson<T = unknown>(): Dual<T> {
    return this.connection.receiveJson<T>();
  }
  /** Sends a TEXT message. */
  sendStr(data: string): Dual<void> {
    return this.connection.sendStr(data);
  }
  /** Sends a BINARY message. */
  sendBytes(data: Uint8Array): Dual<void> {
    return this.connection.sendBytes(data);
  }
  /** Sends JSON in a TEXT message. */
  sendJson(data: unknown): Dual<void> {
    return this.connection.sendJson(data);
  }
  /** Sends a ping. */
  ping(data?: Uint8Array): void {
    this.connection.ping(data);
  }
  /** Closes the connection (default code 1000) and waits for the peer's close. */
  close(options?: { code?: number; message?: string }): Dual<boolean> {
    return this.connection.close(options);
  }
  /** True once closed or closing. */
  get closed(): boolean {
    return this.connection.closed;
  }
  /** The close code, once closed. */
  get closeCode(): number | null {
    return this.connection.closeCode;
  }
  /** Messages until close, for generator handlers (see WebSocketConnection.messages). */
  messages(): Generator<Operation<WSMessage>, void, unknown> {
    return this.connection.messages();
  }
  /** Async iteration over the messages until close. */
  [Symbol.asyncIterator](): AsyncGenerator<WSMessage, void, unknown> {
    return this.connection[Symbol.asyncIterator]();
  }
}

/** @internal Opens a client WebSocket (session.wsConnect). */
export function* connectWebSocket(
  url: string,
  options: WebSocketOptions & { headers?: Record<string, string> },
): Generator<Instruction | undefined, WebSocketConnection, unknown> {
  const conn = new WebSocketConnection(options);
  const ws = yield* suspend<WebSocket>(
    (waker) => {
      const ws = new WebSocket(url, options.protocols ?? [], {
        headers: options.headers,
        maxPayload: options.maxMsgSize ?? DEFAULT_MAX_MSG_SIZE,
      });
      const onOpen = (): void => {
        off();
        waker.resume(ws);
      };
      const onError = (e: Error): void => {
        off();
        waker.fail(new WSServerHandshakeError(0, e.message));
      };
      const onUnexpected = (_req: unknown, res: { statusCode?: number }): void => {
        off();
        ws.on("error", () => {}); // terminate() reports the aborted handshake as an error
        ws.terminate();
        const status = res.statusCode ?? 0;
        waker.fail(
          new WSServerHandshakeError(status, STATUS_CODES[status] ?? "unexpected response"),
        );
      };
      const off = (): void => {
        ws.off("open", onOpen);
        ws.off("error", onError);
        ws.off("unexpected-response", onUnexpected);
      };
      ws.on("open", onOpen);
      ws.on("error", onError);
      ws.on("unexpected-response", onUnexpected);
      return () => {
        off();
        ws.on("error", () => {});
        ws.terminate();
      };
    },
    { describe: "a WebSocket handshake" },
  );
  conn._attach(ws);
  return conn;
}

/**
 * The server refused the WebSocket handshake (aiohttp's WSServerHandshakeError).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * const refused = (e: unknown) => e instanceof web.WSServerHandshakeError && e.status === 404;
 * ```
 */
export class WSServerHandshakeError extends Error {
  override name = "WSServerHandshakeError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`WebSocket handshake failed: ${status} ${message}`);
  }
}
