// aiohttp's responses. A Response (a whole body) is written by the server after the
// handler returns it: one writeHead and one end, the cheap path. A StreamResponse is
// prepared by the handler itself (`yield* resp.prepare(request)`), then written piece by
// piece with `yield* resp.write(chunk)`, which waits for the socket to drain when Node's
// buffer is past its high-water mark (backpressure), and ended with `writeEof()`.
// Headers go through the Fetch Headers class, which refuses CR, LF and NUL in a value:
// a handler cannot split a response.

import { STATUS_CODES, type ServerResponse } from "node:http";
import { suspend, type Instruction, type Operation } from "../index.js";
import { dual, type Dual } from "./op.js";
import type { Request } from "./request.js";

/** Header values as a response takes them. */
export type HeadersInit = Headers | Record<string, string> | Array<[string, string]>;

/** Options of Response and StreamResponse. */
export interface ResponseOptions {
  /** The status (default 200). */
  status?: number;
  /** The reason phrase (default the standard one). */
  reason?: string;
  /** Response headers. */
  headers?: HeadersInit;
}

/** Options of set-cookie (aiohttp's set_cookie keywords). */
export interface CookieOptions {
  path?: string;
  domain?: string;
  maxAge?: number;
  expires?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: "Strict" | "Lax" | "None";
}

// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const COOKIE_PART = /^[^\x00-\x1f\x7f;,\s]*$/;

const DRAIN_WAIT = { describe: "the client to read (drain)" } as const;

/**
 * A response whose body the handler writes itself, chunk by chunk (aiohttp's
 * StreamResponse). Without a Content-Length, the body goes chunked.
 *
 * @example
 * ```ts
 * import { sleep } from "spindle";
 * import { web } from "spindle/http";
 *
 * function* ticks(request: web.Request) {
 *   const resp = new web.StreamResponse({ headers: { "Content-Type": "text/plain" } });
 *   yield* resp.prepare(request);
 *   for (let i = 0; i < 3; i++) {
 *     yield* resp.write(`tick ${i}\n`); // waits while the client reads slowly
 *     yield* sleep(100);
 *   }
 *   yield* resp.writeEof();
 *   return resp;
 * }
 * ```
 */
export class StreamResponse {
  status: number;
  private _reason: string | undefined;
  private _headers: Headers | undefined;
  /** @internal the Node response once prepared */
  _res: ServerResponse | null = null;
  /** @internal the server prepares it when the handler returns it (FileResponse) */
  _prepareOnReturn = false;
  /** @internal the socket was handed over (a WebSocket): nothing to end */
  _detached = false;

  constructor(options: ResponseOptions = {}) {
    this.status = options.status ?? 200;
    this._reason = options.reason;
    if (options.headers !== undefined) this._headers = new Headers(options.headers);
  }

  /** The reason phrase. */
  get reason(): string {
    return this._reason ?? STATUS_CODES[this.status] ?? "Unknown";
  }

  /** Sets the status and (optionally) the reason. */
  setStatus(status: number, reason?: string): void {
    this.checkNotPrepared("setStatus");
    this.status = status;
    this._reason = reason;
  }

  /** The response headers (case-insensitive; values with CR or LF are refused). */
  get headers(): Headers {
    return (this._headers ??= new Headers());
  }

  /** @internal the headers if any were set, without creating them */
  get _maybeHeaders(): Headers | undefined {
    return this._headers;
  }

  /** The Content-Type header. */
  get contentType(): string | null {
    return this._headers?.get("content-type") ?? null;
  }
  set contentType(value: string) {
    this.headers.set("content-type", value);
  }

  /** True once prepare() sent the status and headers. */
  get prepared(): boolean {
    return this._res !== null;
  }

  /** Adds a Set-Cookie header. */
  setCookie(name: string, value: string, options: CookieOptions = {}): void {
    if (name === "" || !COOKIE_PART.test(name) || !COOKIE_PART.test(value))
      throw new TypeError(
        `spindle/http: invalid cookie ${JSON.stringify(name)}=${JSON.stringify(value)}`,
      );
    let c = `${name}=${value}`;
    if (options.domain !== undefined) c += `; Domain=${options.domain}`;
    c += `; Path=${options.path ?? "/"}`;
    if (options.maxAge !== undefined) c += `; Max-Age=${Math.trunc(options.maxAge)}`;
    if (options.expires !== undefined) c += `; expires=${options.expires}`;
    if (options.secure === true) c += "; Secure";
    if (options.httpOnly === true) c += "; HttpOnly";
    if (options.sameSite !== undefined) c += `; SameSite=${options.sameSite}`;
    this.headers.append("set-cookie", c);
  }

  /** Asks the client to delete a cookie (an expired, empty one). */
  delCookie(name: string, options: Pick<CookieOptions, "path" | "domain"> = {}): void {
    this.setCookie(name, "", { ...options, maxAge: 0, expires: "Thu, 01 Jan 1970 00:00:00 GMT" });
  }

  /** Sends the status and headers. */
  prepare(request: Request): Dual<void> {
    return dual(
      function* (this: StreamResponse) {
        if (this._res !== null) return;
        yield* this._prepare(request);
      }.bind(this),
    );
  }

  /** @internal */
  *_prepare(request: Request): Generator<Instruction | undefined, void, unknown> {
    const res = request._res;
    writeHead(res, this.status, this.reason, this._headers, undefined);
    res.flushHeaders();
    this._res = res;
  }

  /** Writes a chunk; waits while the socket's buffer is full. */
  write(data: string | Uint8Array): Dual<void> {
    return dual(
      function* (this: StreamResponse) {
        const res = this._res;
        if (res === null) throw new Error("spindle/http: write() before prepare()");
        if (res.destroyed) throw new ConnectionResetError("the client closed the connection");
        if (!res.write(data)) yield* drained(res);
      }.bind(this),
    );
  }

  /** Ends the body (after an optional last chunk). */
  writeEof(data?: string | Uint8Array): Dual<void> {
    return dual(
      function* (this: StreamResponse) {
        const res = this._res;
        if (res === null) throw new Error("spindle/http: writeEof() before prepare()");
        if (!res.writableEnded) {
          if (data !== undefined) res.end(data);
          else res.end();
        }
      }.bind(this),
    );
  }

  private checkNotPrepared(what: string): void {
    if (this._res !== null) throw new Error(`spindle/http: ${what} after prepare()`);
  }
}

/**
 * The client closed the connection while the handler wrote to it (aiohttp's
 * ConnectionResetError).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * try {
 *   // yield* resp.write(chunk);
 * } catch (e) {
 *   if (!(e instanceof web.ConnectionResetError)) throw e;
 * }
 * ```
 */
export class ConnectionResetError extends Error {
  override name = "ConnectionResetError";
}

function drained(res: ServerResponse): Operation<void> {
  return suspend<void>((waker) => {
    const onDrain = (): void => {
      off();
      waker.resume();
    };
    const onClose = (): void => {
      off();
      waker.fail(new ConnectionResetError("the client closed the connection"));
    };
    const off = (): void => {
      res.off("drain", onDrain);
      res.off("close", onClose);
    };
    res.on("drain", onDrain);
    res.on("close", onClose);
    return off;
  }, DRAIN_WAIT);
}

/** Options of Response: a whole body as text or bytes. */
export interface WholeResponseOptions extends ResponseOptions {
  /** The body as text (Content-Type text/plain unless `contentType` says otherwise). */
  text?: string;
  /** The body as bytes (or a string sent as is). */
  body?: string | Uint8Array;
  /** The Content-Type (without charset when `charset` is given). */
  contentType?: string;
  /** The charset of a text body (default utf-8). */
  charset?: string;
}

/**
 * A response with its whole body (aiohttp's web.Response): text, bytes or nothing.
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* index(request: web.Request) {
 *   return new web.Response({ text: request.path, status: 201 });
 * }
 * ```
 */
export class Response extends StreamResponse {
  /** The body (text is kept as a string and sent as UTF-8). */
  body: string | Uint8Array | undefined;
  /** @internal the Content-Type to send if the headers do not name one */
  _type: string | undefined;

  constructor(options: WholeResponseOptions = {}) {
    super(options);
    if (options.text !== undefined && options.body !== undefined)
      throw new TypeError("spindle/http: a Response takes text or body, not both");
    if (options.text !== undefined) {
      this.body = options.text;
      this._type = `${options.contentType ?? "text/plain"}; charset=${options.charset ?? "utf-8"}`;
    } else {
      this.body = options.body;
      if (options.contentType !== undefined)
        this._type =
          options.charset === undefined
            ? options.contentType
            : `${options.contentType}; charset=${options.charset}`;
      else if (options.body !== undefined) this._type = "application/octet-stream";
    }
  }

  /** The body as text (UTF-8), or null. */
  get text(): string | null {
    if (this.body === undefined) return null;
    return typeof this.body === "string" ? this.body : Buffer.from(this.body).toString("utf8");
  }

  /** @internal Sends status, headers and the whole body. */
  override *_prepare(request: Request): Generator<Instruction | undefined, void, unknown> {
    sendWhole(request._res, this.status, this.reason, this._maybeHeaders, this._type, this.body);
    this._res = request._res;
  }
}

/** Options of jsonResponse. */
export interface JsonResponseOptions extends ResponseOptions {
  /** The serializer (default JSON.stringify). */
  dumps?: (data: unknown) => string;
  /** The Content-Type (default application/json). */
  contentType?: string;
}

/**
 * A Response with `data` as JSON (aiohttp's web.json_response).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* item(request: web.Request) {
 *   return web.jsonResponse({ id: request.matchInfo.get("id") }, { status: 200 });
 * }
 * ```
 */
export function jsonResponse(data: unknown, options: JsonResponseOptions = {}): Response {
  const text = (options.dumps ?? JSON.stringify)(data);
  return new Response({ ...options, text, contentType: options.contentType ?? "application/json" });
}

/** @internal Writes status and headers (the content type if the headers lack one). */
export function writeHead(
  res: ServerResponse,
  status: number,
  reason: string,
  headers: Headers | undefined,
  type: string | undefined,
  length?: number,
): void {
  const flat: string[] = [];
  let hasType = false;
  let hasLength = false;
  if (headers !== undefined) {
    for (const [k, v] of headers) {
      if (k === "content-type") hasType = true;
      else if (k === "content-length") hasLength = true;
      flat.push(k, v);
    }
  }
  if (!hasType && type !== undefined) flat.push("content-type", type);
  if (!hasLength && length !== undefined) flat.push("content-length", String(length));
  res.writeHead(status, reason, flat);
}

/** @internal Sends a whole response. */
export function sendWhole(
  res: ServerResponse,
  status: number,
  reason: string,
  headers: Headers | undefined,
  type: string | undefined,
  body: string | Uint8Array | undefined,
): void {
  if (headers === undefined) {
    // The common case, kept cheap: no header object to walk.
    const length =
      body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.length;
    if (type === undefined) res.writeHead(status, reason, ["content-length", String(length)]);
    else res.writeHead(status, reason, ["content-type", type, "content-length", String(length)]);
  } else {
    const length =
      body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.length;
    writeHead(res, status, reason, headers, type, length);
  }
  if (body === undefined) res.end();
  else res.end(body);
}
