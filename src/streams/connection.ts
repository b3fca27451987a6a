// A connected Node socket as asyncio's (reader, writer) pair: the glue every stream
// transport shares (TCP, TLS and Unix sockets; server and client side).
//
// HOW. 'data' feeds the reader; the reader pauses and resumes the socket (backpressure);
// 'end' is EOF; 'error' becomes the reader's exception (as the OSError subclass Python
// would raise) and the writer's lost error; 'close' ends it all. While the socket is open
// the loop holds it as an outside wait (loop.holdExternal), so the virtual clock waits for
// its events and deadlock detection stays quiet; and if the loop closes first, the socket
// is destroyed then, so nothing outlives its loop.

import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { EventLoop } from "../kernel/loop.js";
import { osError } from "./errors.js";
import { StreamReader } from "./stream-reader.js";
import { StreamWriter } from "./stream-writer.js";

/** Anything that must not outlive its loop. */
interface Destroyable {
  destroy(): void;
}

const tracked = new WeakMap<EventLoop, Set<Destroyable>>();

/**
 * Destroys `thing` when `loop` closes, unless the returned untrack() ran first. One close
 * hook per loop, however many sockets (a hook each would cost O(n) to remove).
 */
export function track(loop: EventLoop, thing: Destroyable): () => void {
  let set = tracked.get(loop);
  if (set === undefined) {
    const things = new Set<Destroyable>();
    set = things;
    tracked.set(loop, things);
    loop.onClose(() => {
      for (const t of things) t.destroy();
      things.clear();
    });
  }
  const things = set;
  things.add(thing);
  return () => void things.delete(thing);
}

/** "host:port" of a socket's peer ("[::1]:port" for IPv6; the path for Unix sockets). */
export function peerLabel(socket: Socket, unixPath?: string): string {
  if (unixPath !== undefined) return `unix:${unixPath}`;
  const host = socket.remoteAddress ?? "?";
  return host.includes(":") ? `[${host}]:${socket.remotePort}` : `${host}:${socket.remotePort}`;
}

/** Options for wrapping a socket. */
export interface WrapOptions {
  limit?: number;
  /** The Unix socket path this side is bound to or connected to (sockname/peername). */
  unixPath?: { sockname: string; peername: string };
  tls?: boolean;
}

/**
 * Wraps a connected socket: reader fed by it, writer writing to it, extras, a hold on the
 * loop until it closes.
 */
export function wrapSocket(
  loop: EventLoop,
  socket: Socket,
  options: WrapOptions = {},
): [StreamReader, StreamWriter] {
  const reader = new StreamReader(options.limit === undefined ? {} : { limit: options.limit });
  const unix = options.unixPath;
  const extra = (name: string): unknown => {
    switch (name) {
      case "peername":
        return unix !== undefined
          ? unix.peername
          : socket.remoteAddress === undefined
            ? undefined
            : [socket.remoteAddress, socket.remotePort];
      case "sockname":
        return unix !== undefined
          ? unix.sockname
          : socket.localAddress === undefined
            ? undefined
            : [socket.localAddress, socket.localPort];
      case "socket":
        return socket;
      case "peercert":
        return options.tls === true ? (socket as TLSSocket).getPeerCertificate() : undefined;
      case "sslcontext":
      case "ssl_object":
        return options.tls === true ? socket : undefined;
      default:
        return undefined;
    }
  };
  const writer = new StreamWriter(socket, { reader, extra, canWriteEof: options.tls !== true });
  reader.setSource(socket);
  socket.on("data", (chunk: Buffer) => reader.feedData(chunk));
  socket.on("end", () => {
    if (!reader.eof) reader.feedEof();
  });
  socket.on("error", (e: unknown) => reader.setException(osError(e)));
  const hold = loop.holdExternal(`socket ${peerLabel(socket, unix?.peername)}`);
  const untrack = track(loop, socket);
  socket.on("close", () => {
    if (!reader.eof) reader.feedEof();
    hold.release();
    untrack();
  });
  return [reader, writer];
}
