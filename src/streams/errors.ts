// The streams' errors, asyncio's and Python's names: the OSError family for what the
// operating system reports (a refused connect, a reset, a name that does not resolve, a
// port in use) and the two read errors of StreamReader.
//
// Node reports a system error as an Error with `code` ("ECONNREFUSED") and a negative
// `errno` (-111); Python reports OSError subclasses with a positive `errno` (111).
// `osError()` maps one to the other: the class from the code, `errno` made positive, the
// Node error kept as `cause`.

// Node's built-ins through "#node-io" (portability: empty tables in a browser).
import { osConstants as constants } from "#node-io";

/** What Node puts on a system error. */
interface NodeSystemError extends Error {
  code?: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

/**
 * An error the operating system reported (Python's OSError): `code` is the symbolic name
 * ("EADDRINUSE"), `errno` its positive number (98 on Linux), `syscall` what failed.
 *
 * @example
 * ```ts
 * try { yield* startServer(handler, "127.0.0.1", busyPort); }
 * catch (e) { if (e instanceof OSError && e.code === "EADDRINUSE") console.log(e.errno); }
 * ```
 */
export class OSError extends Error {
  override name = "OSError";
  /** Symbolic error code, as Node and errno(3) name it ("ECONNRESET"). */
  readonly code: string;
  /** Positive error number (Python's `errno`), 0 if the code has none. */
  readonly errno: number;
  /** The system call that failed ("connect", "read", "listen"), if known. */
  readonly syscall: string | undefined;
  constructor(message: string, code = "", options?: { cause?: unknown; syscall?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errno = errnoOf(code);
    this.syscall = options?.syscall;
  }
}

/**
 * The connection failed or broke (Python's ConnectionError): the family of
 * ConnectionRefusedError, ConnectionResetError, ConnectionAbortedError and BrokenPipeError.
 *
 * @example
 * ```ts
 * try { yield* openConnection("127.0.0.1", port); }
 * catch (e) { if (e instanceof ConnectionError) console.log(e.code); }
 * ```
 */
export class ConnectionError extends OSError {
  override name = "ConnectionError";
}

/**
 * Nobody listens at the address (ECONNREFUSED).
 *
 * @example
 * ```ts
 * try { yield* openConnection("127.0.0.1", closedPort); }
 * catch (e) { e instanceof ConnectionRefusedError; } // true
 * ```
 */
export class ConnectionRefusedError extends ConnectionError {
  override name = "ConnectionRefusedError";
}

/**
 * The peer reset the connection (ECONNRESET), or it was lost while a task waited on it.
 *
 * @example
 * ```ts
 * try { yield* writer.drain(); } catch (e) { e instanceof ConnectionResetError; }
 * ```
 */
export class ConnectionResetError extends ConnectionError {
  override name = "ConnectionResetError";
}

/**
 * The connection was aborted on this side (ECONNABORTED).
 *
 * @example
 * ```ts
 * if (e instanceof ConnectionAbortedError) console.log("aborted");
 * ```
 */
export class ConnectionAbortedError extends ConnectionError {
  override name = "ConnectionAbortedError";
}

/**
 * Wrote to a connection whose peer has gone (EPIPE).
 *
 * @example
 * ```ts
 * if (e instanceof BrokenPipeError) console.log("peer went away");
 * ```
 */
export class BrokenPipeError extends ConnectionError {
  override name = "BrokenPipeError";
}

/**
 * A host name did not resolve (Python's socket.gaierror; ENOTFOUND, EAI_AGAIN).
 *
 * @example
 * ```ts
 * try { yield* openConnection("no-such-host.invalid", 80); }
 * catch (e) { e instanceof GaiError; } // true
 * ```
 */
export class GaiError extends OSError {
  override name = "GaiError";
}

/**
 * EOF came before readexactly(n) or readuntil(sep) had what it needs (asyncio's
 * IncompleteReadError): `partial` holds the bytes read, which left the buffer; `expected`
 * is n, or null for readuntil.
 *
 * @example
 * ```ts
 * try { yield* reader.readexactly(4); }
 * catch (e) { if (e instanceof IncompleteReadError) console.log(e.partial.length); }
 * ```
 */
export class IncompleteReadError extends Error {
  override name = "IncompleteReadError";
  constructor(
    readonly partial: Buffer,
    readonly expected: number | null,
  ) {
    super(
      `${partial.length} bytes read on a total of ${expected === null ? "undefined" : expected} expected bytes`,
    );
  }
}

/**
 * readuntil() found no separator within the reader's limit (asyncio's LimitOverrunError).
 * The buffer is left intact: `consumed` bytes could be read with read()/readexactly().
 * readline() throws it too, after discarding the over-long line (see docs/streams.md).
 *
 * @example
 * ```ts
 * try { yield* reader.readuntil("\n"); }
 * catch (e) { if (e instanceof LimitOverrunError) yield* reader.readexactly(e.consumed); }
 * ```
 */
export class LimitOverrunError extends Error {
  override name = "LimitOverrunError";
  constructor(
    message: string,
    readonly consumed: number,
  ) {
    super(message);
  }
}

const ERRNO = constants.errno as Record<string, number | undefined>;

function errnoOf(code: string): number {
  return ERRNO[code] ?? 0;
}

/**
 * Turns what Node reports (an Error with a `code`) into the OSError subclass Python would
 * raise; other values come back unchanged. `context` prefixes the message ("connect to
 * 127.0.0.1:1").
 *
 * @example
 * ```ts
 * socket.on("error", (e) => reader.setException(osError(e)));
 * ```
 */
export function osError(error: unknown, context?: string): unknown {
  if (error instanceof OSError) return error;
  if (!(error instanceof Error)) return error;
  const e = error as NodeSystemError;
  const code = typeof e.code === "string" ? e.code : "";
  if (code === "") return error;
  const Class = classOf(code);
  const message = context === undefined ? e.message : `${context}: ${e.message}`;
  const options: { cause: unknown; syscall?: string } = { cause: error };
  if (e.syscall !== undefined) options.syscall = e.syscall;
  return new Class(message, code, options);
}

function classOf(code: string): typeof OSError {
  switch (code) {
    case "ECONNREFUSED":
      return ConnectionRefusedError;
    case "ECONNRESET":
      return ConnectionResetError;
    case "ECONNABORTED":
      return ConnectionAbortedError;
    case "EPIPE":
    case "ERR_STREAM_DESTROYED":
      return BrokenPipeError;
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
    case "EAI_NONAME":
      return GaiError;
    default:
      return OSError;
  }
}
