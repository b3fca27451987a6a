// aiohttp's HTTP exceptions: an HTTPException is an Error a handler throws (or returns) to
// answer with its status. Its default body is "<status>: <reason>" as text/plain, as
// aiohttp's (test/reference/aiohttp/server_basics.txt). One class per status;
// the redirects take the location first.

import { STATUS_CODES } from "node:http";

/** Options every HTTP exception takes (aiohttp's keyword arguments). */
export interface HTTPExceptionOptions {
  /** The body as text (default "<status>: <reason>"; empty for statuses without a body). */
  text?: string;
  /** The body as bytes (instead of text). */
  body?: Uint8Array;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** The reason phrase (default: the standard one). */
  reason?: string;
  /** The Content-Type (default text/plain; charset=utf-8). */
  contentType?: string;
}

/** Statuses whose responses have no body. */
const EMPTY_BODY = new Set([204, 205, 304]);

/**
 * The base of every HTTP exception: throw one from a handler (or return it) and the client
 * gets its status, headers and body.
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* handler(request: web.Request) {
 *   if (!request.query.has("id")) throw new web.HTTPBadRequest({ text: "id missing" });
 *   return new web.Response({ text: "ok" });
 * }
 * ```
 */
export class HTTPException extends Error {
  /** The status code (each subclass sets its own). */
  static readonly statusCode: number = 500;
  readonly status: number;
  readonly reason: string;
  readonly text: string | undefined;
  readonly body: Uint8Array | undefined;
  readonly headers: Record<string, string>;
  readonly contentType: string;

  constructor(options: HTTPExceptionOptions = {}) {
    const status = (new.target as typeof HTTPException).statusCode;
    const reason = options.reason ?? STATUS_CODES[status] ?? "Unknown";
    super(`${status}: ${reason}`);
    this.name = new.target.name;
    this.status = status;
    this.reason = reason;
    this.headers = { ...options.headers };
    this.contentType = options.contentType ?? "text/plain; charset=utf-8";
    this.body = options.body;
    this.text =
      options.body !== undefined
        ? undefined
        : (options.text ?? (EMPTY_BODY.has(status) ? "" : `${status}: ${reason}`));
  }
}

/** Options of the redirect exceptions (HTTPFound & co.): the location comes first. */
export type HTTPRedirectionOptions = HTTPExceptionOptions;

/**
 * The base of the redirects (3xx with a Location).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* old(_request: web.Request) {
 *   throw new web.HTTPFound("/new");
 * }
 * ```
 */
export class HTTPRedirection extends HTTPException {
  readonly location: string;
  constructor(location: string, options: HTTPRedirectionOptions = {}) {
    super(options);
    this.location = location;
    this.headers["Location"] = location;
  }
}

/**
 * 405, with the methods the resource allows (aiohttp's HTTPMethodNotAllowed(method,
 * allowed_methods)).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * throw new web.HTTPMethodNotAllowed("POST", ["GET", "HEAD"]);
 * ```
 */
export class HTTPMethodNotAllowed extends HTTPException {
  static override readonly statusCode: number = 405;
  readonly method: string;
  readonly allowedMethods: readonly string[];
  constructor(
    method: string,
    allowedMethods: Iterable<string>,
    options: HTTPExceptionOptions = {},
  ) {
    super(options);
    this.method = method;
    this.allowedMethods = [...allowedMethods];
    this.headers["Allow"] = this.allowedMethods.join(",");
  }
}

// One class per status, aiohttp's names.

/** 200 (aiohttp keeps the 2xx as exceptions too). @example `throw new web.HTTPOk()` */
export class HTTPOk extends HTTPException {
  static override readonly statusCode: number = 200;
}

/** 201. @example `throw new web.HTTPCreated()` */
export class HTTPCreated extends HTTPException {
  static override readonly statusCode: number = 201;
}

/** 202. @example `throw new web.HTTPAccepted()` */
export class HTTPAccepted extends HTTPException {
  static override readonly statusCode: number = 202;
}

/** 204. @example `throw new web.HTTPNoContent()` */
export class HTTPNoContent extends HTTPException {
  static override readonly statusCode: number = 204;
}

/** 301. @example `throw new web.HTTPMovedPermanently("/new")` */
export class HTTPMovedPermanently extends HTTPRedirection {
  static override readonly statusCode: number = 301;
}

/** 302. @example `throw new web.HTTPFound("/new")` */
export class HTTPFound extends HTTPRedirection {
  static override readonly statusCode: number = 302;
}

/** 303. @example `throw new web.HTTPSeeOther("/new")` */
export class HTTPSeeOther extends HTTPRedirection {
  static override readonly statusCode: number = 303;
}

/** 304 (no Location). @example `throw new web.HTTPNotModified()` */
export class HTTPNotModified extends HTTPException {
  static override readonly statusCode: number = 304;
}

/** 307. @example `throw new web.HTTPTemporaryRedirect("/new")` */
export class HTTPTemporaryRedirect extends HTTPRedirection {
  static override readonly statusCode: number = 307;
}

/** 308. @example `throw new web.HTTPPermanentRedirect("/new")` */
export class HTTPPermanentRedirect extends HTTPRedirection {
  static override readonly statusCode: number = 308;
}

/** 400. @example `throw new web.HTTPBadRequest({ text: "bad id" })` */
export class HTTPBadRequest extends HTTPException {
  static override readonly statusCode: number = 400;
}

/** 401. @example `throw new web.HTTPUnauthorized()` */
export class HTTPUnauthorized extends HTTPException {
  static override readonly statusCode: number = 401;
}

/** 403. @example `throw new web.HTTPForbidden()` */
export class HTTPForbidden extends HTTPException {
  static override readonly statusCode: number = 403;
}

/** 404. @example `throw new web.HTTPNotFound()` */
export class HTTPNotFound extends HTTPException {
  static override readonly statusCode: number = 404;
}

/** 406. @example `throw new web.HTTPNotAcceptable()` */
export class HTTPNotAcceptable extends HTTPException {
  static override readonly statusCode: number = 406;
}

/** 408. @example `throw new web.HTTPRequestTimeout()` */
export class HTTPRequestTimeout extends HTTPException {
  static override readonly statusCode: number = 408;
}

/** 409. @example `throw new web.HTTPConflict()` */
export class HTTPConflict extends HTTPException {
  static override readonly statusCode: number = 409;
}

/** 410. @example `throw new web.HTTPGone()` */
export class HTTPGone extends HTTPException {
  static override readonly statusCode: number = 410;
}

/** 411. @example `throw new web.HTTPLengthRequired()` */
export class HTTPLengthRequired extends HTTPException {
  static override readonly statusCode: number = 411;
}

/** 413: a body over the application's clientMaxSize. @example `throw new web.HTTPRequestEntityTooLarge()` */
export class HTTPRequestEntityTooLarge extends HTTPException {
  static override readonly statusCode: number = 413;
}

/** 415. @example `throw new web.HTTPUnsupportedMediaType()` */
export class HTTPUnsupportedMediaType extends HTTPException {
  static override readonly statusCode: number = 415;
}

/** 422. @example `throw new web.HTTPUnprocessableEntity()` */
export class HTTPUnprocessableEntity extends HTTPException {
  static override readonly statusCode: number = 422;
}

/** 429. @example `throw new web.HTTPTooManyRequests()` */
export class HTTPTooManyRequests extends HTTPException {
  static override readonly statusCode: number = 429;
}

/** 431. @example `throw new web.HTTPRequestHeaderFieldsTooLarge()` */
export class HTTPRequestHeaderFieldsTooLarge extends HTTPException {
  static override readonly statusCode: number = 431;
}

/** 500. @example `throw new web.HTTPInternalServerError()` */
export class HTTPInternalServerError extends HTTPException {
  static override readonly statusCode: number = 500;
}

/** 501. @example `throw new web.HTTPNotImplemented()` */
export class HTTPNotImplemented extends HTTPException {
  static override readonly statusCode: number = 501;
}

/** 502. @example `throw new web.HTTPBadGateway()` */
export class HTTPBadGateway extends HTTPException {
  static override readonly statusCode: number = 502;
}

/** 503. @example `throw new web.HTTPServiceUnavailable()` */
export class HTTPServiceUnavailable extends HTTPException {
  static override readonly statusCode: number = 503;
}

/** 504. @example `throw new web.HTTPGatewayTimeout()` */
export class HTTPGatewayTimeout extends HTTPException {
  static override readonly statusCode: number = 504;
}
