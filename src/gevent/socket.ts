// A socket with Python's manners on spindle's streams: recv(n) returns at most n bytes
// (an empty Buffer at EOF), send/sendall write and wait for the buffer to drain, close.
// gevent's sockets are Python sockets made cooperative; spindle's streams already are.

import { describe as describeValue } from "../errors.js";
import type { Instruction } from "../kernel/operation.js";
import { openConnection, type ConnectionOptionsLike } from "../streams/open-connection.js";
import type { StreamReader } from "../streams/stream-reader.js";
import type { StreamWriter } from "../streams/stream-writer.js";

/** A TCP address as Python writes it: `[host, port]`. */
export type Address = [host: string, port: number];

/**
 * A connected socket, as gevent's handler and `createConnection` give it: `recv(n)`,
 * `send(data)`, `sendall(data)`, `close()`, `makefile()` for line reading.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const conn = yield* gevent.createConnection(["127.0.0.1", 8080]);
 * yield* conn.sendall("hello");
 * const reply = yield* conn.recv(1024); // Buffer; empty at EOF
 * conn.close();
 * ```
 */
export class Socket {
  constructor(
    /** The streams underneath. */
    readonly reader: StreamReader,
    readonly writer: StreamWriter,
  ) {}

  /**
   * Up to `n` bytes, as soon as some have arrived; an empty Buffer at EOF.
   *
   * @example
   * ```ts
   * const data = yield* conn.recv(1024);
   * if (data.length === 0) conn.close(); // the peer closed
   * ```
   */
  *recv(n = 65536): Generator<Instruction | undefined, Buffer, unknown> {
    if (!(n > 0))
      throw new RangeError(`spindle/gevent: recv(n) needs n > 0, got ${describeValue(n)}`);
    return yield* this.reader.read(n);
  }

  /**
   * Writes `data` and waits until it is handed to the OS; returns how many bytes (all of
   * them: a stream takes everything, and waits for room).
   *
   * @example
   * ```ts
   * yield* conn.send(data.toString().toUpperCase());
   * ```
   */
  *send(data: Uint8Array | string): Generator<Instruction | undefined, number, unknown> {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    this.writer.write(bytes);
    yield* this.writer.drain();
    return bytes.length;
  }

  /**
   * Writes all of `data` and waits until it is handed to the OS.
   *
   * @example
   * ```ts
   * yield* conn.sendall("bye\n");
   * ```
   */
  *sendall(data: Uint8Array | string): Generator<Instruction | undefined, void, unknown> {
    yield* this.send(data);
  }

  /**
   * Ends the writing side (`SHUT_WR`): the peer reads EOF; reading goes on.
   *
   * @example
   * ```ts
   * conn.shutdown();
   * ```
   */
  shutdown(): void {
    this.writer.writeEof();
  }

  /**
   * Closes the connection.
   *
   * @example
   * ```ts
   * conn.close();
   * ```
   */
  close(): void {
    this.writer.close();
  }

  /** True once close() was called or the connection ended. */
  get closed(): boolean {
    return this.writer.isClosing();
  }

  /** The peer's `[host, port]`. */
  getpeername(): Address {
    return this.writer.getExtraInfo("peername") as Address;
  }

  /** This side's `[host, port]`. */
  getsockname(): Address {
    return this.writer.getExtraInfo("sockname") as Address;
  }

  /**
   * A file-like view for line reading (Python's `makefile()`): `readline()`,
   * `read(n)`, `write(data)` + `flush()`.
   *
   * @example
   * ```ts
   * const f = conn.makefile();
   * const line = yield* f.readline(); // up to and with "\n"; empty at EOF
   * ```
   */
  makefile(): SocketFile {
    return new SocketFile(this);
  }
}

/**
 * What `socket.makefile()` returns: buffered line reading and writing.
 *
 * @example
 * ```ts
 * const f = conn.makefile();
 * f.write("PING\n");
 * yield* f.flush();
 * console.log(String(yield* f.readline()));
 * ```
 */
export class SocketFile {
  constructor(private readonly socket: Socket) {}

  /** The next line with its "\n" (the rest at EOF; empty once at EOF). */
  *readline(): Generator<Instruction | undefined, Buffer, unknown> {
    return yield* this.socket.reader.readline();
  }

  /** `n` bytes (fewer at EOF); all until EOF when n < 0. */
  *read(n = -1): Generator<Instruction | undefined, Buffer, unknown> {
    if (n < 0) return yield* this.socket.reader.read(-1);
    const r = this.socket.reader;
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const chunk = yield* r.read(n - got);
      if (chunk.length === 0) break;
      parts.push(chunk);
      got += chunk.length;
    }
    return Buffer.concat(parts);
  }

  /** Buffers `data` for writing. */
  write(data: Uint8Array | string): void {
    this.socket.writer.write(data);
  }

  /** Waits until what was written is handed to the OS. */
  *flush(): Generator<Instruction | undefined, void, unknown> {
    yield* this.socket.writer.drain();
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }
}

/**
 * gevent's `socket.create_connection((host, port))`: a connected Socket.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const c = yield* gevent.createConnection(["127.0.0.1", 8080]);
 * yield* c.send("alex say hello 0");
 * console.log(String(yield* c.recv(1024)));
 * ```
 */
export function* createConnection(
  address: Address,
  options: ConnectionOptionsLike = {},
): Generator<Instruction | undefined, Socket, unknown> {
  if (!Array.isArray(address) || address.length !== 2)
    throw new TypeError(
      `spindle/gevent: createConnection needs [host, port], got ${describeValue(address)}`,
    );
  const [reader, writer] = yield* openConnection(address[0], address[1], options);
  return new Socket(reader, writer);
}
