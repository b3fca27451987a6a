// aiohttp's web.Request over Node's IncomingMessage. Everything is computed lazily — the
// query, the URL, the headers' case-insensitive view, the cookies — so a handler pays only
// for what it reads. The body is read whole by read()/text()/json()/post() (once; later
// calls return the same bytes), bounded by the application's clientMaxSize (413).

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Instruction } from "../index.js";
import type { Application } from "./application.js";
import { readBody } from "./body.js";
import type { StreamReader } from "../streams/index.js";
import { HTTPBadRequest, HTTPRequestEntityTooLarge } from "./exceptions.js";
import { parseForm, type FormData } from "./form.js";
import { dual, type Dual } from "./op.js";
import type { MatchInfo } from "./router.js";
import { readerFrom } from "./stream.js";

/** @internal What an upgrade request (WebSocket) carries besides the request itself. */
export interface Upgrade {
  socket: Socket;
  head: Buffer;
}

/**
 * An HTTP request as a handler sees it (aiohttp's web.Request).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* handle(request: web.Request) {
 *   console.log(request.method, request.path, request.matchInfo.get("id"));
 *   console.log(request.queryString, request.query.getAll("tag"));
 *   const data = yield* request.json(); // 400 if the body is not JSON
 *   return web.jsonResponse({ got: data });
 * }
 * ```
 */
export class Request {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The path and query as sent (percent-encoded). */
  readonly rawPath: string;
  /** The query string without "?" (as sent). */
  readonly queryString: string;
  /** The parameters the route matched. */
  matchInfo: MatchInfo;
  /** The application that owns the matched route (a sub-application's for its routes). */
  app: Application;
  private _path: string | undefined;
  private _query: URLSearchParams | undefined;
  private _headers: Headers | undefined;
  private _cookies: Record<string, string> | undefined;
  private _body: Buffer | undefined;
  private _state: Map<unknown, unknown> | undefined;
  private _content: StreamReader | undefined;

  constructor(
    /** Node's request. */
    readonly message: IncomingMessage,
    /** @internal Node's response, where the handler's response is written. */
    readonly _res: ServerResponse,
    app: Application,
    matchInfo: MatchInfo,
    /** @internal */
    readonly _clientMaxSize: number,
    /** @internal set for an upgrade request (WebSocket) */
    readonly _upgrade: Upgrade | null = null,
  ) {
    this.method = message.method ?? "GET";
    const raw = message.url ?? "/";
    this.rawPath = raw;
    const q = raw.indexOf("?");
    this.queryString = q < 0 ? "" : raw.slice(q + 1);
    this.app = app;
    this.matchInfo = matchInfo;
  }

  /** The path, percent-decoded (aiohttp's request.path). */
  get path(): string {
    if (this._path === undefined) {
      const q = this.rawPath.indexOf("?");
      const raw = q < 0 ? this.rawPath : this.rawPath.slice(0, q);
      try {
        this._path = decodeURIComponent(raw);
      } catch {
        this._path = raw; // invalid escapes stay as sent, as yarl leaves them
      }
    }
    return this._path;
  }

  /** The query, multi-valued: `query.get(name)`, `query.getAll(name)`. */
  get query(): URLSearchParams {
    return (this._query ??= new URLSearchParams(this.queryString));
  }

  /** The Host header (or the local address). */
  get host(): string {
    return (
      this.message.headers.host ??
      `${this.message.socket.localAddress}:${this.message.socket.localPort}`
    );
  }

  /** "http" (spindle/http serves plain TCP; put TLS in front). */
  get scheme(): string {
    return "http";
  }

  /** The absolute URL of the request. */
  get url(): URL {
    return new URL(this.rawPath, `${this.scheme}://${this.host}`);
  }

  /** The request headers, case-insensitive. */
  get headers(): Headers {
    if (this._headers === undefined) {
      const h = new Headers();
      const raw = this.message.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) h.append(raw[i]!, raw[i + 1]!);
      this._headers = h;
    }
    return this._headers;
  }

  /** The cookies the client sent (name → value). */
  get cookies(): Record<string, string> {
    if (this._cookies === undefined) {
      const out: Record<string, string> = {};
      for (const part of (this.message.headers.cookie ?? "").split(";")) {
        const eq = part.indexOf("=");
        if (eq < 0) continue;
        const name = part.slice(0, eq).trim();
        let value = part.slice(eq + 1).trim();
        if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
        if (name !== "" && !(name in out)) out[name] = value;
      }
      this._cookies = out;
    }
    return this._cookies;
  }

  /** The peer's address. */
  get remote(): string | undefined {
    return this.message.socket.remoteAddress;
  }

  /** The Content-Type without parameters ("application/octet-stream" if none). */
  get contentType(): string {
    const t = this.message.headers["content-type"];
    return t === undefined ? "application/octet-stream" : t.split(";")[0]!.trim().toLowerCase();
  }

  /** The Content-Length, if the client sent one. */
  get contentLength(): number | undefined {
    const n = this.message.headers["content-length"];
    return n === undefined ? undefined : Number(n);
  }

  /** True if the request may have a body (a length or chunked encoding). */
  get canReadBody(): boolean {
    const h = this.message.headers;
    return (
      (h["content-length"] !== undefined && h["content-length"] !== "0") ||
      h["transfer-encoding"] !== undefined
    );
  }

  /** Per-request data shared between middlewares and handlers (aiohttp's request[key]). */
  get(key: unknown): unknown {
    return this._state?.get(key);
  }
  /** Stores per-request data. */
  set(key: unknown, value: unknown): void {
    (this._state ??= new Map()).set(key, value);
  }

  /**
   * The body as a StreamReader, for reading it incrementally (`yield* request.content.read(n)`,
   * `readline()`, …). Not bounded by clientMaxSize (read() and the others are).
   */
  get content(): StreamReader {
    return (this._content ??= readerFrom(this.message));
  }

  /** The whole body as bytes (413 past the application's clientMaxSize). */
  read(): Dual<Buffer> {
    return dual(() => this.readOnce());
  }

  /** The body decoded as UTF-8. */
  text(): Dual<string> {
    return dual(
      function* (this: Request) {
        return (yield* this.readOnce()).toString("utf8");
      }.bind(this),
    );
  }

  /** The body parsed as JSON; 400 Bad Request if it is not JSON. */
  json<T = unknown>(): Dual<T> {
    return dual(
      function* (this: Request) {
        const text = (yield* this.readOnce()).toString("utf8");
        try {
          return JSON.parse(text) as T;
        } catch (e) {
          throw new HTTPBadRequest({
            text: `400: Bad Request (invalid JSON: ${(e as Error).message})`,
          });
        }
      }.bind(this),
    );
  }

  /** The body as a form (urlencoded or multipart): fields and files by name. */
  post(): Dual<FormData> {
    return dual(
      function* (this: Request) {
        const body = yield* this.readOnce();
        return yield* parseForm(this.message.headers, body);
      }.bind(this),
    );
  }

  private *readOnce(): Generator<Instruction | undefined, Buffer, unknown> {
    if (this._body !== undefined) return this._body;
    if (this._content !== undefined) {
      // The body was partly read through content: take the rest from there.
      const rest = yield* this._content.read();
      if (rest.length > this._clientMaxSize)
        throw new HTTPRequestEntityTooLarge({
          text: `Maximum request body size ${this._clientMaxSize} exceeded`,
        });
      return (this._body = rest);
    }
    this._body = yield* readBody(this.message, this._clientMaxSize);
    return this._body;
  }

  toString(): string {
    return `<Request ${this.method} ${this.path} >`;
  }
}
