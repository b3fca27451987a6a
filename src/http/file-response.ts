// Files from disk through `send`: Range requests, ETag and Last-Modified, conditional
// requests (304, 412), HEAD, and a Content-Type from the extension. FileResponse sends one
// file a handler names; router.addStatic serves a directory under a prefix. send refuses
// paths that climb out of the root (".." segments, encoded or not: 403) and NUL bytes (400);
// addStatic hands it the path as the client sent it, undecoded, so that nothing is decoded
// twice (`%252e%252e` stays a file name, it never becomes "..").

import { dirname, basename, resolve } from "node:path";
import send from "send";
import { suspend, type Instruction } from "../index.js";
import { HTTPException, HTTPForbidden, HTTPNotFound } from "./exceptions.js";
import type { Handler } from "./handler.js";
import type { Request } from "./request.js";
import { StreamResponse, type ResponseOptions } from "./response.js";

/** Options of FileResponse. */
export interface FileResponseOptions extends ResponseOptions {
  /** Cache-Control max-age in ms (default 0). */
  maxAge?: number;
}

/** @internal Sends `path` under `root` (path URL-encoded, as in a request) and waits until done. */
function* sendFile(
  request: Request,
  root: string,
  path: string,
  headers: Headers | undefined,
  maxAge: number,
): Generator<Instruction | undefined, void, unknown> {
  const res = request._res;
  if (headers !== undefined) for (const [k, v] of headers) res.setHeader(k, v);
  yield* suspend<void>(
    (waker) => {
      const stream = send(request.message, path, {
        root,
        index: false,
        dotfiles: "ignore",
        maxAge,
      });
      stream.on("error", (e: Error & { status?: number; statusCode?: number }) => {
        const status = e.status ?? e.statusCode ?? 500;
        if (res.headersSent) {
          res.destroy();
          waker.resume();
        } else
          waker.fail(
            status === 404
              ? new HTTPNotFound()
              : status === 403
                ? new HTTPForbidden()
                : statusError(status),
          );
      });
      const done = (): void => void waker.resume();
      res.once("finish", done);
      res.once("close", done);
      stream.pipe(res);
      return () => {
        res.off("finish", done);
        res.off("close", done);
        res.destroy();
      };
    },
    { describe: `a file being sent (${path})` },
  );
}

function statusError(status: number): HTTPException {
  const E = class extends HTTPException {
    static override readonly statusCode: number = status;
  };
  return new E();
}

/**
 * A response that sends a file (aiohttp's web.FileResponse), with ranges, ETags and
 * conditional requests handled.
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* download(_request: web.Request) {
 *   return new web.FileResponse("./report.pdf");
 * }
 * ```
 */
export class FileResponse extends StreamResponse {
  readonly path: string;
  private readonly maxAge: number;
  constructor(path: string, options: FileResponseOptions = {}) {
    super(options);
    this.path = resolve(path);
    this.maxAge = options.maxAge ?? 0;
    this._prepareOnReturn = true;
  }

  /** @internal */
  override *_prepare(request: Request): Generator<Instruction | undefined, void, unknown> {
    this._res = request._res;
    yield* sendFile(
      request,
      dirname(this.path),
      "/" + encodeURIComponent(basename(this.path)),
      this._maybeHeaders,
      this.maxAge,
    );
  }
}

/** A response that sends `path` under `root` as the client named it (undecoded). */
class StaticResponse extends StreamResponse {
  constructor(
    private readonly root: string,
    private readonly rawPath: string,
  ) {
    super();
    this._prepareOnReturn = true;
  }
  /** @internal */
  override *_prepare(request: Request): Generator<Instruction | undefined, void, unknown> {
    this._res = request._res;
    yield* sendFile(request, this.root, this.rawPath, this._maybeHeaders, 0);
  }
}

/** @internal The handler behind router.addStatic(prefix, dir). */
export function staticHandler(prefix: string, dir: string): Handler {
  const root = resolve(dir);
  return function* serveStatic(request: Request) {
    const raw = request.rawPath;
    const q = raw.indexOf("?");
    const full = q < 0 ? raw : raw.slice(0, q);
    // A sub-application adds its own prefix in front of this one.
    const path = full.slice(Math.max(0, full.indexOf(prefix + "/")) + prefix.length);
    return new StaticResponse(root, path.startsWith("/") ? path : "/" + path);
  };
}
