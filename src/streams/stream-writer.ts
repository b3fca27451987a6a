// StreamWriter: asyncio's writer over a Node Writable (a socket, a TLS socket, a child's
// stdin).
//
// HOW. write() hands the bytes to the Writable at once (Node buffers them, as asyncio's
// transport does); drain() parks the task while the Writable's buffer is above its
// high-water mark (Node's `writableNeedDrain`) and the task re-checks when 'drain', 'error'
// or 'close' wakes it. close() ends the stream (the buffered bytes are still sent, then a
// FIN) and destroys it once flushed; abort() destroys it at once. waitClosed() waits for
// 'close'.
//
// Lifecycle: open → closing (close() or writeEof(): write() now throws) → closed ('close'
// fired). A connection lost on its own (reset by the peer) records its error in `lost`:
// write() then drops the bytes as asyncio's transports do, and drain() and waitClosed()
// throw it.
//
// Invariant: a drain waiter is linked in `drainers` only while its task is parked; every
// wake-up re-checks the stream's state in the woken task (so a cancelled drain consumes
// nothing and wakes no one it should not).

import type { Writable } from "node:stream";
import { InvalidStateError } from "../errors.js";
import { NOT_YET, type Instruction, type Operation, type Waker } from "../kernel/operation.js";
import { WaitQueue, Waiting } from "../sync/wait-queue.js";
import { ConnectionResetError, osError } from "./errors.js";
import { toBuffer, type StreamReader } from "./stream-reader.js";

/**
 * Names getExtraInfo() answers (asyncio's transport extras).
 *
 * @example
 * ```ts
 * const name: ExtraInfoName = "peername";
 * ```
 */
export type ExtraInfoName = "peername" | "sockname" | "socket" | "peercert" | (string & {});

/**
 * How a StreamWriter is made: the Writable, the reader of the same connection (drain()
 * throws that reader's error, as asyncio's), and the connection's extras.
 *
 * @example
 * ```ts
 * const writer = new StreamWriter(child.stdin!, { extra: { pid: child.pid } });
 * ```
 */
export interface StreamWriterOptions {
  reader?: StreamReader | null;
  /** getExtraInfo()'s answers. */
  extra?: Record<string, unknown> | ((name: string) => unknown);
  /** Does the stream support writeEof() (half-close)? Default true. */
  canWriteEof?: boolean;
}

/**
 * asyncio's StreamWriter: write bytes, wait for them to drain, close.
 *
 * @example
 * ```ts
 * const [reader, writer] = yield* openConnection("127.0.0.1", port);
 * writer.write("hello\n");
 * yield* writer.drain();
 * writer.close();
 * yield* writer.waitClosed();
 * ```
 */
export class StreamWriter {
  /** @internal drain() waiters */
  readonly drainers = new WaitQueue<Waker<void>>();
  /** @internal waitClosed() waiters */
  readonly closers = new WaitQueue<Waker<void>>();
  /** @internal the 'close' event fired */
  closed = false;
  /** @internal the error the stream was lost with (null: none) */
  lost: unknown = null;
  private closing = false;
  private eofWritten = false;
  private readonly reader: StreamReader | null;
  private readonly extra: Record<string, unknown> | ((name: string) => unknown);
  private readonly halfClose: boolean;

  constructor(
    /** The Writable written to (asyncio's `writer.transport`). */
    readonly stream: Writable,
    options: StreamWriterOptions = {},
  ) {
    this.reader = options.reader ?? null;
    this.extra = options.extra ?? {};
    this.halfClose = options.canWriteEof ?? true;
    stream.on("drain", () => this.wakeDrainers());
    stream.on("error", (e: unknown) => {
      if (this.lost === null) this.lost = osError(e);
      this.wakeDrainers();
    });
    stream.on("close", () => {
      this.closed = true;
      this.wakeDrainers();
      for (let n = this.closers.shift(); n !== null; n = this.closers.shift()) n.value.resume();
    });
    if (stream.destroyed) this.closed = true;
  }

  /**
   * Queues bytes (strings as UTF-8) for sending; never waits. Throws InvalidStateError
   * after close() or writeEof(); after the connection was lost, drops them (asyncio's
   * behaviour: drain() reports the loss).
   *
   * @example
   * ```ts
   * writer.write(Buffer.from([1, 2, 3]));
   * ```
   */
  write(data: Uint8Array | string): void {
    if (this.closing) throw new InvalidStateError("spindle: write() after close()");
    if (this.eofWritten) throw new InvalidStateError("spindle: write() after writeEof()");
    if (this.lost !== null || this.stream.destroyed) return;
    const buf = toBuffer(data);
    if (buf.length > 0) this.stream.write(buf);
  }

  /**
   * Writes each item in order (asyncio's writelines).
   *
   * @example
   * ```ts
   * writer.writelines(["a\n", "b\n"]);
   * ```
   */
  writelines(data: Iterable<Uint8Array | string>): void {
    for (const d of data) this.write(d);
  }

  /**
   * Waits until the write buffer is below its high-water mark (returns at once if it is).
   * Throws the connection's error if it was lost (ConnectionResetError if it closed).
   *
   * @example
   * ```ts
   * for (const chunk of chunks) { writer.write(chunk); yield* writer.drain(); }
   * ```
   */
  drain(): Operation<void> {
    return this.drainOp;
  }

  /**
   * What drain() returns: decides when `yield*` starts it (as an awaited coroutine would),
   * and allocates nothing when there is nothing to wait for — the common case, once per
   * message in an echo loop.
   */
  private readonly drainOp: Operation<void> = {
    [Symbol.iterator]: () =>
      this.failure() === null &&
      this.lost === null &&
      !this.closed &&
      !this.stream.writableNeedDrain
        ? NOTHING_TO_WAIT
        : new Drain(this),
  };

  /**
   * Half-closes: sends EOF after the buffered bytes, keeps reading.
   *
   * @example
   * ```ts
   * writer.write(request);
   * writer.writeEof();
   * const reply = yield* reader.read();
   * ```
   */
  writeEof(): void {
    if (!this.halfClose) throw new InvalidStateError("spindle: this stream cannot write EOF");
    if (this.eofWritten || this.closing) return;
    this.eofWritten = true;
    this.stream.end();
  }

  /**
   * True if writeEof() is supported (plain TCP and Unix sockets, pipes; not TLS).
   *
   * @example
   * ```ts
   * if (writer.canWriteEof()) writer.writeEof();
   * ```
   */
  canWriteEof(): boolean {
    return this.halfClose;
  }

  /**
   * Closes the stream: what was written is still sent, then the connection closes.
   * waitClosed() waits for it.
   *
   * @example
   * ```ts
   * writer.close();
   * yield* writer.waitClosed();
   * ```
   */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    const s = this.stream;
    if (s.destroyed) return;
    if (s.writableFinished) {
      s.destroy();
      return;
    }
    s.once("finish", () => s.destroy());
    if (!s.writableEnded) s.end();
  }

  /**
   * Closes at once, dropping what is not sent yet (asyncio's transport.abort()).
   *
   * @example
   * ```ts
   * writer.abort();
   * ```
   */
  abort(): void {
    this.closing = true;
    this.stream.destroy();
  }

  /**
   * True once close() was called or the stream closed (or is closing) on its own.
   *
   * @example
   * ```ts
   * if (!writer.isClosing()) writer.write("bye\n");
   * ```
   */
  isClosing(): boolean {
    return this.closing || this.closed || this.stream.destroyed;
  }

  /**
   * Waits until the stream has closed; throws the error it was lost with, if any.
   *
   * @example
   * ```ts
   * writer.close();
   * yield* writer.waitClosed();
   * ```
   */
  waitClosed(): Operation<void> {
    return new WaitClosed(this);
  }

  /**
   * Information about the connection (asyncio's get_extra_info): "peername" and "sockname"
   * as `[host, port]` (a path for Unix sockets), "socket" (the Node socket), "peercert"
   * (TLS), or `fallback` when unknown.
   *
   * @example
   * ```ts
   * const [host, port] = writer.getExtraInfo("peername") as [string, number];
   * ```
   */
  getExtraInfo(name: ExtraInfoName, fallback?: unknown): unknown {
    const v = typeof this.extra === "function" ? this.extra(name) : this.extra[name];
    return v === undefined ? fallback : v;
  }

  /** @internal What drain() and waitClosed() throw once the connection is gone. */
  lostError(): unknown {
    return this.lost ?? new ConnectionResetError("Connection lost", "ECONNRESET");
  }

  /** @internal */
  failure(): unknown {
    return this.reader?.exception() ?? null;
  }

  private wakeDrainers(): void {
    for (let n = this.drainers.shift(); n !== null; n = this.drainers.shift()) n.value.resume();
  }
}

const FINISHED: IteratorReturnResult<void> = Object.freeze({ value: undefined, done: true });

/** An operation's iterator that is finished at once (shared: it has no state). */
const NOTHING_TO_WAIT: Iterator<Instruction | undefined, void, unknown> = {
  next: () => FINISHED,
  return: () => FINISHED,
  throw: (e: unknown) => {
    throw e;
  },
};

class Drain extends Waiting<void> {
  constructor(private readonly writer: StreamWriter) {
    super(writer.drainers);
  }
  protected attempt(): void | typeof NOT_YET {
    const w = this.writer;
    const failed = w.failure();
    if (failed !== null) throw failed;
    if (w.lost !== null || w.closed) throw w.lostError();
    if (w.stream.writableNeedDrain) return NOT_YET;
  }
  protected override resume(): void | typeof NOT_YET {
    return this.attempt();
  }
  override describe(): string {
    return "StreamWriter.drain";
  }
}

class WaitClosed extends Waiting<void> {
  constructor(private readonly writer: StreamWriter) {
    super(writer.closers);
  }
  protected attempt(): void | typeof NOT_YET {
    const w = this.writer;
    if (!w.closed) return NOT_YET;
    if (w.lost !== null) throw w.lost;
  }
  protected override resume(): void | typeof NOT_YET {
    return this.attempt();
  }
  override describe(): string {
    return "StreamWriter.waitClosed";
  }
}
