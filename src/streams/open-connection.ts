// openConnection: asyncio's open_connection on net.connect / tls.connect.
//
// HOW. The task parks until 'connect' ('secureConnect' for TLS) or 'error'; a connect
// error comes back as the OSError subclass Python raises (ConnectionRefusedError, GaiError
// for a name that does not resolve, …). Cancelling the task while it connects — say, a
// timeout() around it — destroys the socket, so nothing is left half-open.

import type { Socket, NetConnectOpts } from "node:net";
import type { ConnectionOptions } from "node:tls";
// Node's built-ins through "#node-io" (portability: in a browser they throw NodeOnlyError).
import { netConnect, tlsConnect } from "#node-io";
import { requireLoop } from "../kernel/event-loop.js";
import { suspend, type Instruction, type Operation } from "../kernel/operation.js";
import { osError } from "./errors.js";
import { wrapSocket, type WrapOptions } from "./connection.js";
import type { StreamReader } from "./stream-reader.js";
import type { StreamWriter } from "./stream-writer.js";

/**
 * Options of openConnection / openUnixConnection.
 *
 * @example
 * ```ts
 * const opts: ConnectionOptionsLike = { limit: 1024, localAddress: "127.0.0.1" };
 * ```
 */
export interface ConnectionOptionsLike {
  /** The reader's buffer limit (default 64 KiB). */
  limit?: number;
  /** TLS: true for the defaults, or node:tls connect options (ca, servername, …). */
  ssl?: boolean | ConnectionOptions;
  /** Local address to bind before connecting. */
  localAddress?: string;
  /** Local port to bind before connecting. */
  localPort?: number;
  /** TCP_NODELAY (default true, as asyncio). */
  noDelay?: boolean;
  /** SO_KEEPALIVE (default false). */
  keepAlive?: boolean;
  /** 4 or 6: resolve to that address family only. */
  family?: number;
}

/** Connects a socket and parks the task until it is connected; the undo destroys it. */
function connected(
  make: () => Socket,
  event: "connect" | "secureConnect",
  what: string,
): Operation<Socket> {
  return suspend<Socket>(
    (waker) => {
      const socket = make();
      const onError = (e: unknown) => {
        socket.destroy();
        waker.fail(osError(e, `connect to ${what}`));
      };
      socket.once("error", onError);
      socket.once(event, () => {
        socket.off("error", onError);
        waker.resume(socket);
      });
      return () => void socket.destroy();
    },
    { describe: `connect to ${what}` },
  );
}

/** @internal Connects (TCP, TLS or Unix) and wraps the socket. */
export function* connect(
  connectOpts: NetConnectOpts,
  options: ConnectionOptionsLike,
  what: string,
  unixPath?: string,
): Generator<Instruction | undefined, [StreamReader, StreamWriter], unknown> {
  const loop = requireLoop("openConnection()");
  const tls = options.ssl !== undefined && options.ssl !== false;
  const socket = yield* connected(
    () => {
      if (!tls) return netConnect({ ...connectOpts, allowHalfOpen: true });
      const extra = options.ssl === true ? {} : (options.ssl as ConnectionOptions);
      const servername =
        "host" in connectOpts &&
        connectOpts.host !== undefined &&
        !/^[\d.:]+$/.test(connectOpts.host)
          ? { servername: connectOpts.host }
          : {};
      return tlsConnect({
        ...connectOpts,
        ...servername,
        ...extra,
      } as ConnectionOptions);
    },
    tls ? "secureConnect" : "connect",
    what,
  );
  if (unixPath === undefined) {
    socket.setNoDelay(options.noDelay ?? true);
    if (options.keepAlive === true) socket.setKeepAlive(true);
  }
  const wrap: WrapOptions = { tls };
  if (options.limit !== undefined) wrap.limit = options.limit;
  if (unixPath !== undefined) wrap.unixPath = { sockname: "", peername: unixPath };
  return wrapSocket(loop, socket, wrap);
}

/**
 * Opens a TCP connection (asyncio.open_connection) and returns its `[reader, writer]`.
 * Connect errors are ConnectionError subclasses (ConnectionRefusedError, …) or GaiError;
 * wrap it in `timeout()` / `waitFor()` for a connect timeout.
 *
 * @example
 * ```ts
 * const [reader, writer] = yield* openConnection("127.0.0.1", 8888);
 * writer.write("Thread-1 say hello 1");
 * console.log(String(yield* reader.read(100)));
 * writer.close();
 * ```
 */
export function openConnection(
  host: string,
  port: number,
  options: ConnectionOptionsLike = {},
): Operation<[StreamReader, StreamWriter]> {
  const opts: NetConnectOpts = { host, port };
  if (options.localAddress !== undefined) opts.localAddress = options.localAddress;
  if (options.localPort !== undefined) opts.localPort = options.localPort;
  if (options.family !== undefined) opts.family = options.family;
  const what = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return connect(opts, options, what);
}
