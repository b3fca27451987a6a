// aiohttp's ClientSession on undici's dispatcher API. An undici Agent owns the connection
// pools (one per origin, `limitPerHost` connections each); a spindle Semaphore bounds the
// requests in flight across hosts (`limit`, aiohttp's TCPConnector(limit=100)). A request
// holds its permit — and undici its connection — until its body is read to the end, or
// released, or fails, or is cancelled, or times out: every one of those paths gives both
// back (tests count the Agent's open connections to check).
//
// Timeouts (ms, aiohttp's ClientTimeout): `connect` is undici's connect timeout,
// `sockRead` its headers and body timeouts (the longest silence while reading), `total`
// the whole exchange from sending to the last body byte — it aborts the request.

import { STATUS_CODES } from "node:http";
import { Agent, errors as undiciErrors, type Dispatcher } from "undici";
import {
  CancelledError,
  getRunningLoop,
  Semaphore,
  suspend,
  type Instruction,
  type Operation,
} from "../index.js";
import type { StreamReader } from "../streams/index.js";
import { dual, type Dual } from "./op.js";
import { readerFrom } from "./stream.js";
import { connectWebSocket, type WebSocketConnection, type WebSocketOptions } from "./websocket.js";

/** aiohttp's ClientTimeout, in milliseconds; undefined means none. */
export interface ClientTimeout {
  /** The whole request, from sending to the last byte of the body. */
  total?: number;
  /** Establishing the connection. */
  connect?: number;
  /** The longest wait for the next bytes of the response. */
  sockRead?: number;
}

/** Options of ClientSession. */
export interface ClientSessionOptions {
  /** Relative URLs resolve against this. */
  baseUrl?: string;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Cookies sent with every request (and Set-Cookie values received are kept). */
  cookies?: Record<string, string>;
  /** Timeouts (default: total 5 minutes, as aiohttp). */
  timeout?: ClientTimeout;
  /** Requests in flight at most, all hosts together (default 100; 0 = no bound). */
  limit?: number;
  /** Connections per host at most (default 0 = no bound). */
  limitPerHost?: number;
  /** Throw ClientResponseError for every status >= 400 (default false). */
  raiseForStatus?: boolean;
}

/** Options of one request. */
export interface RequestOptions {
  /** Query parameters, added to the URL's. */
  params?: Record<string, string | number | Array<string | number>> | URLSearchParams;
  /** A body to send as JSON (Content-Type application/json). */
  json?: unknown;
  /** A body: bytes or text as is; a record or URLSearchParams urlencoded. */
  data?: string | Uint8Array | URLSearchParams | Record<string, string>;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Timeouts for this request (over the session's). */
  timeout?: ClientTimeout;
  /** Overrides the session's raiseForStatus. */
  raiseForStatus?: boolean;
}

/** aiohttp's default total timeout: 5 minutes. */
const DEFAULT_TOTAL_MS = 5 * 60_000;
/** aiohttp's default connection limit. */
const DEFAULT_LIMIT = 100;

/**
 * The base of the client's errors (aiohttp's ClientError).
 *
 * @example
 * ```ts
 * import { ClientError, ClientSession } from "spindle/http";
 *
 * function* fetchOrNull(session: ClientSession, url: string) {
 *   try {
 *     return yield* (yield* session.get(url)).text();
 *   } catch (e) {
 *     if (e instanceof ClientError) return null;
 *     throw e;
 *   }
 * }
 * ```
 */
export class ClientError extends Error {
  override name = "ClientError";
}

/**
 * A response with a status >= 400 met raiseForStatus (aiohttp's ClientResponseError).
 *
 * @example
 * ```ts
 * import { ClientResponseError } from "spindle/http";
 *
 * try {
 *   // res.raiseForStatus();
 * } catch (e) {
 *   if (e instanceof ClientResponseError) console.log(e.status);
 * }
 * ```
 */
export class ClientResponseError extends ClientError {
  override name = "ClientResponseError";
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly url: URL,
  ) {
    super(`${status}, message='${reason}', url='${url.href}'`);
  }
}

/**
 * The connection could not be made (aiohttp's ClientConnectorError).
 *
 * @example
 * ```ts
 * import { ClientConnectorError } from "spindle/http";
 *
 * const isDown = (e: unknown) => e instanceof ClientConnectorError;
 * ```
 */
export class ClientConnectorError extends ClientError {
  override name = "ClientConnectorError";
}

/**
 * A timeout of the client passed (aiohttp's ServerTimeoutError; `kind` says which).
 *
 * @example
 * ```ts
 * import { ClientTimeoutError } from "spindle/http";
 *
 * const timedOut = (e: unknown) => e instanceof ClientTimeoutError && e.kind === "total";
 * ```
 */
export class ClientTimeoutError extends ClientError {
  override name = "ClientTimeoutError";
  constructor(
    readonly kind: "total" | "connect" | "sockRead",
    ms: number,
  ) {
    super(`${kind} timeout of ${ms} ms passed`);
  }
}

/** What a request holds until its body is done: a permit, a timer, the abort switch. */
class Exchange {
  private done = false;
  timer: { cancel(): void } | null = null;
  readonly abort = new AbortController();
  constructor(private readonly permits: Semaphore | null) {}
  /** Gives the permit back and stops the total timer (once). */
  finish(): void {
    if (this.done) return;
    this.done = true;
    this.timer?.cancel();
    this.permits?.release();
  }
}

const WAIT_RESPONSE = { describe: "an HTTP response" } as const;
const WAIT_BODY = { describe: "an HTTP response body" } as const;

/** Waits for a Promise; the undo (a cancel) aborts the request. */
function awaitAbortable<T>(promise: Promise<T>, exchange: Exchange, what: object): Operation<T> {
  return suspend<T>((waker) => {
    promise.then(
      (v) => void waker.resume(v),
      (e) => void waker.fail(e),
    );
    return () => exchange.abort.abort(new ClientError("the request was cancelled"));
  }, what);
}

/**
 * A response of the client (aiohttp's ClientResponse): status, headers, and the body read
 * with `text()`, `json()` or `read()` — each gives the connection back when the body is in.
 * A response whose body is not wanted must be released with `release()`.
 *
 * @example
 * ```ts
 * import { ClientSession } from "spindle/http";
 *
 * function* show(session: ClientSession, url: string) {
 *   const res = yield* session.get(url);
 *   console.log(res.status);
 *   console.log(yield* res.text());
 * }
 * ```
 */
export class ClientResponse {
  readonly status: number;
  readonly url: URL;
  readonly method: string;
  private _headers: Headers | undefined;
  private consumed = false;
  private _content: StreamReader | undefined;

  constructor(
    method: string,
    url: URL,
    /** undici's response. */
    readonly raw: Dispatcher.ResponseData,
    private readonly exchange: Exchange,
  ) {
    this.method = method;
    this.url = url;
    this.status = raw.statusCode;
  }

  /** The reason phrase. */
  get reason(): string {
    return STATUS_CODES[this.status] ?? "";
  }

  /** True for a status below 400. */
  get ok(): boolean {
    return this.status < 400;
  }

  /** The response headers, case-insensitive. */
  get headers(): Headers {
    if (this._headers === undefined) {
      const h = new Headers();
      for (const [k, v] of Object.entries(this.raw.headers)) {
        if (Array.isArray(v)) for (const x of v) h.append(k, x);
        else if (v !== undefined) h.append(k, v);
      }
      this._headers = h;
    }
    return this._headers;
  }

  /** The body as bytes. */
  read(): Dual<Buffer> {
    return dual(
      function* (this: ClientResponse) {
        const ab = yield* this.body((b) => b.arrayBuffer());
        return Buffer.from(ab);
      }.bind(this),
    );
  }

  /** The body decoded as UTF-8. */
  text(): Dual<string> {
    return dual(() => this.body((b) => b.text()));
  }

  /** The body parsed as JSON. */
  json<T = unknown>(): Dual<T> {
    return dual(() => this.body((b) => b.json() as Promise<T>));
  }

  /**
   * The body as a StreamReader, to read incrementally; the connection goes back when the
   * body ends (or fails). Taking it counts as consuming the body: read() and the others
   * are then refused.
   */
  get content(): StreamReader {
    if (this._content === undefined) {
      if (this.consumed) throw new ClientError("the response body was already read or released");
      this.consumed = true;
      this._content = readerFrom(this.raw.body, () => this.exchange.finish());
    }
    return this._content;
  }

  /** Throws ClientResponseError if the status is 400 or more (releasing the response). */
  raiseForStatus(): void {
    if (this.status < 400) return;
    this.release();
    throw new ClientResponseError(this.status, this.reason, this.url);
  }

  /** Gives the connection back without reading the body (the rest is drained or dropped). */
  release(): void {
    if (this.consumed) return;
    this.consumed = true;
    const body = this.raw.body;
    // dump() reads a small rest to keep the connection; past its limit it closes it.
    body.dump().then(
      () => this.exchange.finish(),
      () => this.exchange.finish(),
    );
  }

  /** True once the body was read or released. */
  get closed(): boolean {
    return this.consumed;
  }

  private *body<T>(
    take: (b: Dispatcher.ResponseData["body"]) => Promise<T>,
  ): Generator<Instruction | undefined, T, unknown> {
    if (this.consumed) throw new ClientError("the response body was already read or released");
    this.consumed = true;
    try {
      return yield* awaitAbortable(take(this.raw.body), this.exchange, WAIT_BODY);
    } catch (e) {
      throw mapError(e, this.exchange);
    } finally {
      if (!this.raw.body.destroyed && !this.raw.body.readableEnded) this.raw.body.destroy();
      this.exchange.finish();
    }
  }

  toString(): string {
    return `<ClientResponse(${this.url.href}) [${this.status} ${this.reason}]>`;
  }
}

/**
 * An HTTP client session (aiohttp's ClientSession): a connection pool, default headers,
 * cookies and timeouts. `yield* session.get(url)` (or `await` from async code) returns
 * a ClientResponse; close the session when done.
 *
 * @example
 * ```ts
 * import { run } from "spindle";
 * import { ClientSession } from "spindle/http";
 *
 * await run(function* () {
 *   const session = new ClientSession({ timeout: { total: 10_000 } });
 *   try {
 *     const res = yield* session.get("http://127.0.0.1:9977/", { params: { q: "1" } });
 *     console.log(res.status);
 *     console.log(yield* res.text());
 *   } finally {
 *     yield* session.close();
 *   }
 * });
 * ```
 */
export class ClientSession {
  /** undici's Agent: the pools. */
  readonly dispatcher: Agent;
  /** The cookie jar (name → value), sent with every request. */
  readonly cookies: Map<string, string>;
  private readonly permits: Semaphore | null;
  private readonly timeout: ClientTimeout;
  private _closed = false;

  constructor(readonly options: ClientSessionOptions = {}) {
    this.timeout = { total: DEFAULT_TOTAL_MS, ...options.timeout };
    const limit = options.limit ?? DEFAULT_LIMIT;
    this.permits = limit > 0 ? new Semaphore(limit) : null;
    this.dispatcher = new Agent({
      connections:
        options.limitPerHost !== undefined && options.limitPerHost > 0
          ? options.limitPerHost
          : null,
      connect: this.timeout.connect === undefined ? {} : { timeout: this.timeout.connect },
      headersTimeout: this.timeout.sockRead ?? 0,
      bodyTimeout: this.timeout.sockRead ?? 0,
    });
    this.cookies = new Map(Object.entries(options.cookies ?? {}));
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this._closed;
  }

  /** GET. */
  get(url: string | URL, options?: RequestOptions): Dual<ClientResponse> {
    return this.request("GET", url, options);
  }
  /** POST. */
  post(url: string | URL, options?: RequestOptions): Dual<ClientResponse> {
    return this.request("POST", url, options);
  }
  /** PUT. */
  put(url: string | URL, options?: RequestOptions): Dual<ClientResponse> {
    return this.request("PUT", url, options);
  }
  /** PATCH. */
  patch(url: string | URL, options?: RequestOptions): Dual<ClientResponse> {
    return this.request("PATCH", url, options);
  }
  /** DELETE. */
  delete(url: string | URL, options?: RequestOptions): Dual<ClientResponse> {
    return this.request("DELETE", url, options);
  }
  /** HEAD. */
  head(url: string | URL, options?: RequestOptions): Dual<ClientResponse> {
    return this.request("HEAD", url, options);
  }
  /** OPTIONS. */
  optionsRequest(url: string | URL, options?: RequestOptions): Dual<ClientResponse> {
    return this.request("OPTIONS", url, options);
  }

  /** Any method. */
  request(method: string, url: string | URL, options: RequestOptions = {}): Dual<ClientResponse> {
    return dual(() => this.send(method.toUpperCase(), url, options));
  }

  /**
   * Opens a WebSocket (aiohttp's ws_connect): `http(s)://` URLs become `ws(s)://`; relative
   * ones resolve against baseUrl. The session's headers and cookies go with the handshake.
   */
  wsConnect(
    url: string | URL,
    options: WebSocketOptions & { headers?: Record<string, string> } = {},
  ): Dual<WebSocketConnection> {
    return dual(
      function* (this: ClientSession) {
        if (this._closed) throw new ClientError("the session is closed");
        const u = new URL(url, this.options.baseUrl);
        if (u.protocol === "http:") u.protocol = "ws:";
        else if (u.protocol === "https:") u.protocol = "wss:";
        const headers: Record<string, string> = { ...this.options.headers, ...options.headers };
        if (this.cookies.size > 0)
          headers["cookie"] ??= [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
        return yield* connectWebSocket(u.href, { ...options, headers });
      }.bind(this),
    );
  }

  /** Closes every pooled connection; the session cannot be used after. */
  close(): Dual<void> {
    return dual(
      function* (this: ClientSession) {
        if (this._closed) return;
        this._closed = true;
        yield* awaitPlain(this.dispatcher.close());
      }.bind(this),
    );
  }

  private *send(
    method: string,
    input: string | URL,
    options: RequestOptions,
  ): Generator<Instruction | undefined, ClientResponse, unknown> {
    if (this._closed) throw new ClientError("the session is closed");
    const url = new URL(input, this.options.baseUrl);
    addParams(url, options.params);
    const headers: Record<string, string> = { ...this.options.headers };
    for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
    let body: string | Uint8Array | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    } else if (options.data !== undefined) {
      const d = options.data;
      if (typeof d === "string" || d instanceof Uint8Array) body = d;
      else {
        body = new URLSearchParams(d as Record<string, string>).toString();
        headers["content-type"] ??= "application/x-www-form-urlencoded";
      }
    }
    if (this.cookies.size > 0 && headers["cookie"] === undefined)
      headers["cookie"] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

    const timeout = { ...this.timeout, ...options.timeout };
    const exchange = new Exchange(this.permits);
    if (this.permits !== null) yield* this.permits.acquire();
    try {
      if (timeout.total !== undefined && timeout.total > 0) {
        const loop = getRunningLoop()!;
        const total = timeout.total;
        exchange.timer = loop.callLater(total, () =>
          exchange.abort.abort(new ClientTimeoutError("total", total)),
        );
      }
      const raw = yield* awaitAbortable(
        this.dispatcher.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: method as Dispatcher.HttpMethod,
          headers,
          body,
          signal: exchange.abort.signal,
          ...(options.timeout?.sockRead !== undefined
            ? { headersTimeout: options.timeout.sockRead, bodyTimeout: options.timeout.sockRead }
            : {}),
        }),
        exchange,
        WAIT_RESPONSE,
      );
      this.keepCookies(raw.headers["set-cookie"]);
      const res = new ClientResponse(method, url, raw, exchange);
      if (options.raiseForStatus ?? this.options.raiseForStatus ?? false) res.raiseForStatus();
      return res;
    } catch (e) {
      exchange.finish();
      throw mapError(e, exchange, timeout);
    }
  }

  private keepCookies(set: string | string[] | undefined): void {
    if (set === undefined) return;
    for (const c of Array.isArray(set) ? set : [set]) {
      const first = c.split(";")[0]!;
      const eq = first.indexOf("=");
      if (eq > 0) this.cookies.set(first.slice(0, eq).trim(), first.slice(eq + 1).trim());
    }
  }
}

function addParams(url: URL, params: RequestOptions["params"]): void {
  if (params === undefined) return;
  const entries = params instanceof URLSearchParams ? [...params] : Object.entries(params);
  for (const [k, v] of entries) {
    if (Array.isArray(v)) for (const x of v) url.searchParams.append(k, String(x));
    else url.searchParams.append(k, String(v));
  }
}

/** undici's errors as the client's. */
function mapError(e: unknown, exchange: Exchange, timeout: ClientTimeout = {}): unknown {
  if (e instanceof CancelledError) return e; // the task was cancelled: not the request's fault
  const reason: unknown = exchange.abort.signal.aborted ? exchange.abort.signal.reason : undefined;
  if (reason instanceof ClientTimeoutError) return reason;
  if (e instanceof ClientError) return e;
  if (e instanceof undiciErrors.ConnectTimeoutError)
    return new ClientTimeoutError("connect", timeout.connect ?? 0);
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError)
    return new ClientTimeoutError("sockRead", timeout.sockRead ?? 0);
  const code = (e as { code?: string } | null)?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH")
    return new ClientConnectorError(`cannot connect: ${(e as Error).message}`, { cause: e });
  if (e instanceof undiciErrors.UndiciError || code !== undefined)
    return new ClientError((e as Error).message, { cause: e });
  return e;
}

function awaitPlain<T>(promise: Promise<T>): Operation<T> {
  return suspend<T>((waker) => {
    promise.then(
      (v) => void waker.resume(v),
      (e) => void waker.fail(e),
    );
  });
}
