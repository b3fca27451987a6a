// StreamReader: asyncio's buffered byte reader, fed by any byte source.
//
// HOW. A source (a socket, a child's stdout, an HTTP request body, a test) calls
// feedData(chunk) / feedEof() / setException(e); a task reads with read, readline,
// readexactly and readuntil. The bytes sit in `chunks` until a task takes them. Each read
// is an Attempt: it takes what it needs from the buffer at once if it can, else parks its
// task as the reader's one waiter; feedData wakes that waiter, and the task, when it next
// runs, tries again from the buffer. So the bytes are taken in the reading task's own step,
// never handed over in a waker: a task cancelled after its wake-up and before it ran takes
// nothing, and the next reader finds every byte (docs/kernel.md, "a wake-up is not a
// delivery"). read(-1) takes in rounds and puts back what it took if it is interrupted.
//
// Backpressure (asyncio's numbers): feedData pauses the source once more than 2 × limit
// bytes are buffered; a read that brings the buffer down to limit or less resumes it, and
// so does a task that parks for more data while the source is paused (readexactly(n) for
// n > 2 × limit would otherwise wait forever). So a reader holds about 2 × limit bytes plus
// one chunk, whatever the source offers.
//
// Invariant: `size` is the sum of the chunks' lengths; at most one task waits (a second
// concurrent reader is an error, as in asyncio); `paused` is true only between a
// source.pause() and the matching source.resume().
//
// Cost: feedData O(1); a read O(chunks it takes); readuntil copies the buffer into one chunk
// when the separator may span chunks (bounded by the limit).

import { InvalidStateError } from "../errors.js";
import { createTask } from "../kernel/event-loop.js";
import {
  Attempt,
  NOT_YET,
  type Instruction,
  type Operation,
  type Waker,
} from "../kernel/operation.js";
import { IncompleteReadError, LimitOverrunError } from "./errors.js";

/** asyncio's default buffer limit: 64 KiB. */
export const DEFAULT_LIMIT = 2 ** 16;

// Buffer through globalThis: the root entry exports the streams, so a browser loads this
// module, and a browser has no Buffer (portability: nothing here runs there, sockets and
// subprocesses throw NodeOnlyError first).
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const EMPTY = NodeBuffer?.alloc(0) as Buffer;

/**
 * What feeds a StreamReader and can be told to stop and start: a socket's pause()/resume(),
 * an HTTP request's, a child's stdout's. The reader calls pause() when it holds more than
 * 2 × limit bytes and resume() once a task has read it down to limit.
 *
 * @example
 * ```ts
 * reader.setSource({ pause: () => socket.pause(), resume: () => socket.resume() });
 * ```
 */
export interface ByteSource {
  pause(): void;
  resume(): void;
}

/**
 * Options of a StreamReader.
 *
 * @example
 * ```ts
 * const reader = new StreamReader({ limit: 1024 });
 * ```
 */
export interface StreamReaderOptions {
  /** The buffer limit in bytes (default 64 KiB): readuntil's longest line, the pause mark / 2. */
  limit?: number;
  /**
   * The data comes from outside the loop (a socket, a Promise): a task waiting for it is an
   * outside wait for the virtual clock and deadlock detection. Default true; pass false
   * when other tasks of the loop feed the reader.
   */
  external?: boolean;
}

/** Bytes to a Buffer without copying; strings as UTF-8. */
export function toBuffer(data: Uint8Array | string): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (Buffer.isBuffer(data)) return data;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * asyncio's StreamReader: a byte buffer that tasks read from and a source feeds.
 *
 * Feeding it (for a layer that has bytes from somewhere — a socket, an HTTP body): call
 * `feedData(chunk)` for each chunk, `feedEof()` at the end, `setException(e)` on failure,
 * and give `setSource()` the pause/resume of what produces the chunks; the reader pauses the
 * source past 2 × limit buffered bytes and resumes it when a task has read it down.
 *
 * @example
 * ```ts
 * const reader = new StreamReader();
 * reader.feedData("hello\nworld");
 * reader.feedEof();
 * const line = yield* reader.readline(); // <Buffer "hello\n">
 * const rest = yield* reader.read();     // <Buffer "world">
 * ```
 */
export class StreamReader {
  /** The buffer limit in bytes. */
  readonly limit: number;
  /** @internal buffered chunks, oldest first; chunks[0] starts at the next unread byte */
  chunks: Buffer[] = [];
  /** @internal total bytes in chunks */
  size = 0;
  /** @internal feedEof() was called */
  eof = false;
  /** @internal what setException() stored */
  error: unknown = null;
  /** @internal the one parked reader */
  waiter: Waker<void> | null = null;
  /** @internal */
  readonly external: boolean;
  private source: ByteSource | null = null;
  private paused = false;

  constructor(options: StreamReaderOptions = {}) {
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit <= 0)
      throw new RangeError(`spindle: a reader's limit must be a positive integer, got ${limit}`);
    this.limit = limit;
    this.external = options.external ?? true;
  }

  // ---- the feeding side ----

  /**
   * Tells the reader what to pause and resume (backpressure towards the source).
   *
   * @example
   * ```ts
   * reader.setSource({ pause: () => req.pause(), resume: () => req.resume() });
   * ```
   */
  setSource(source: ByteSource | null): void {
    this.source = source;
    this.paused = false;
  }

  /**
   * Appends bytes (strings as UTF-8) and wakes the waiting reader; pauses the source once
   * more than 2 × limit bytes are buffered.
   *
   * @example
   * ```ts
   * socket.on("data", (chunk) => reader.feedData(chunk));
   * ```
   */
  feedData(data: Uint8Array | string): void {
    if (this.eof) throw new InvalidStateError("spindle: feedData() after feedEof()");
    const chunk = toBuffer(data);
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.wake();
    if (this.source !== null && !this.paused && this.size > 2 * this.limit) {
      this.paused = true;
      this.source.pause();
    }
  }

  /**
   * Marks the end of the data and wakes the waiting reader: reads then return what is left,
   * then empty buffers.
   *
   * @example
   * ```ts
   * socket.on("end", () => reader.feedEof());
   * ```
   */
  feedEof(): void {
    this.eof = true;
    this.wake();
  }

  /**
   * Makes every later read throw `error` (a reset connection), waking the waiting reader.
   *
   * @example
   * ```ts
   * socket.on("error", (e) => reader.setException(e));
   * ```
   */
  setException(error: unknown): void {
    this.error = error;
    this.wake();
  }

  /**
   * What setException() stored, or null.
   *
   * @example
   * ```ts
   * if (reader.exception() !== null) console.log("the stream failed");
   * ```
   */
  exception(): unknown {
    return this.error;
  }

  /**
   * True when EOF was fed and the buffer is empty: every read returns empty from now on.
   *
   * @example
   * ```ts
   * while (!reader.atEof()) console.log(String(yield* reader.readline()));
   * ```
   */
  atEof(): boolean {
    return this.eof && this.size === 0;
  }

  /**
   * Bytes buffered and not yet read.
   *
   * @example
   * ```ts
   * reader.buffered; // 0 after everything was read
   * ```
   */
  get buffered(): number {
    return this.size;
  }

  /**
   * True while the reader holds its source paused (more than 2 × limit bytes buffered).
   *
   * @example
   * ```ts
   * if (reader.isPaused()) console.log("the peer is faster than we read");
   * ```
   */
  isPaused(): boolean {
    return this.paused;
  }

  // ---- the reading side ----

  /**
   * Reads up to `n` bytes: waits until some are buffered (or EOF) and returns at most `n`
   * of them; `n` = -1 (the default) reads to EOF. Returns an empty buffer at EOF.
   *
   * @example
   * ```ts
   * const chunk = yield* reader.read(100);
   * if (chunk.length === 0) console.log("EOF");
   * ```
   */
  read(n = -1): Operation<Buffer> {
    if (!Number.isInteger(n)) throw new TypeError(`spindle: read() needs an integer, got ${n}`);
    if (n < 0) return this.readAll();
    return new Read(this, n);
  }

  /**
   * Reads one line, up to and including "\n"; at EOF, what is left (maybe without "\n", maybe
   * empty). A line longer than the limit throws LimitOverrunError after discarding it (or the
   * buffered part of it), as asyncio does (where it raises ValueError).
   *
   * @example
   * ```ts
   * const line = yield* reader.readline();
   * ```
   */
  readline(): Operation<Buffer> {
    return new ReadUntil(this, NEWLINE, true);
  }

  /**
   * Reads exactly `n` bytes. At EOF before `n`, throws IncompleteReadError with the bytes it
   * had (taken from the buffer).
   *
   * @example
   * ```ts
   * const header = yield* reader.readexactly(4);
   * const body = yield* reader.readexactly(header.readUInt32BE(0));
   * ```
   */
  readexactly(n: number): Operation<Buffer> {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`spindle: readexactly() needs a size >= 0, got ${n}`);
    return new ReadExactly(this, n);
  }

  /**
   * Reads up to and including `separator` (default "\n"). Throws LimitOverrunError, leaving
   * the buffer intact, when the separator is not within `limit` bytes; at EOF without it,
   * IncompleteReadError with what was buffered (taken from the buffer).
   *
   * @example
   * ```ts
   * const record = yield* reader.readuntil("\r\n");
   * ```
   */
  readuntil(separator: Uint8Array | string = NEWLINE): Operation<Buffer> {
    const sep = toBuffer(separator);
    if (sep.length === 0) throw new RangeError("spindle: readuntil() needs a non-empty separator");
    return new ReadUntil(this, sep, false);
  }

  /**
   * Lines until EOF, for async code (`for await`): each line is read by a task of the
   * running loop.
   *
   * @example
   * ```ts
   * for await (const line of reader) console.log(String(line));
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    for (;;) {
      const line = await createTask(this.readline());
      if (line.length === 0) return;
      yield line;
    }
  }

  /** Reads to EOF in rounds of up to `limit` bytes; gives them back if interrupted. */
  private *readAll(): Generator<Instruction | undefined, Buffer, unknown> {
    const blocks: Buffer[] = [];
    try {
      for (;;) {
        const block = yield* new Read(this, this.limit) as Operation<Buffer>;
        if (block.length === 0) break;
        blocks.push(block);
      }
    } catch (e) {
      this.unread(blocks);
      throw e;
    }
    return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
  }

  // ---- the buffer ----

  /** @internal Takes the first n bytes (n <= size). */
  take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length > n) {
      out = first.subarray(0, n);
      this.chunks[0] = first.subarray(n);
    } else if (first.length === n) {
      out = first;
      this.chunks.shift();
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0]!;
        const want = n - at;
        if (c.length <= want) {
          c.copy(out, at);
          at += c.length;
          this.chunks.shift();
        } else {
          c.copy(out, at, 0, want);
          this.chunks[0] = c.subarray(want);
          at = n;
        }
      }
    }
    this.size -= n;
    this.maybeResume();
    return out;
  }

  /** @internal The buffer as one chunk (copies only when it spans several). */
  flat(): Buffer {
    if (this.chunks.length === 0) return EMPTY;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0]!;
  }

  /** @internal Puts bytes back at the front (an interrupted read(-1)). */
  unread(blocks: Buffer[]): void {
    if (blocks.length === 0) return;
    let n = 0;
    for (const b of blocks) n += b.length;
    this.chunks.unshift(...blocks);
    this.size += n;
  }

  /** @internal The waiter's task parks: resume a paused source, or it would wait forever. */
  parkWaiter(waker: Waker<void>, what: string): void {
    if (this.waiter !== null)
      throw new InvalidStateError(
        `spindle: ${what}() called while another task is already waiting for incoming data`,
      );
    this.waiter = waker;
    if (this.paused) {
      this.paused = false;
      this.source?.resume();
    }
  }

  /** @internal */
  throwIfFailed(): void {
    if (this.error !== null) throw this.error;
  }

  private maybeResume(): void {
    if (this.paused && this.size <= this.limit) {
      this.paused = false;
      this.source?.resume();
    }
  }

  private wake(): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w.resume();
    }
  }
}

const NEWLINE = NodeBuffer?.from("\n") as Buffer;

/** What the read operations share: one waiter slot, re-attempt when woken. */
abstract class ReaderWait<T> extends Attempt<T> {
  constructor(protected readonly reader: StreamReader) {
    super({ external: reader.external });
  }
  private parked: Waker<void> | null = null;
  park(waker: Waker<T>): void {
    this.parked = waker as unknown as Waker<void>;
    this.reader.parkWaiter(this.parked, this.what());
  }
  protected override unpark(): void {
    if (this.reader.waiter === this.parked) this.reader.waiter = null;
  }
  protected override resume(): T | typeof NOT_YET {
    return this.attempt();
  }
  protected abstract what(): string;
  override describe(): string {
    return `StreamReader.${this.what()}`;
  }
}

class Read extends ReaderWait<Buffer> {
  constructor(
    reader: StreamReader,
    private readonly n: number,
  ) {
    super(reader);
  }
  protected attempt(): Buffer | typeof NOT_YET {
    const r = this.reader;
    r.throwIfFailed();
    if (this.n === 0) return EMPTY;
    if (r.size === 0) return r.eof ? EMPTY : NOT_YET;
    return r.take(Math.min(this.n, r.size));
  }
  protected what(): string {
    return "read";
  }
}

class ReadExactly extends ReaderWait<Buffer> {
  constructor(
    reader: StreamReader,
    private readonly n: number,
  ) {
    super(reader);
  }
  protected attempt(): Buffer | typeof NOT_YET {
    const r = this.reader;
    r.throwIfFailed();
    if (r.size >= this.n) return r.take(this.n);
    if (!r.eof) return NOT_YET;
    throw new IncompleteReadError(r.take(r.size), this.n);
  }
  protected what(): string {
    return "readexactly";
  }
}

class ReadUntil extends ReaderWait<Buffer> {
  /** Where the next search starts: the bytes before it were searched already. */
  private offset = 0;
  constructor(
    reader: StreamReader,
    private readonly sep: Buffer,
    private readonly line: boolean,
  ) {
    super(reader);
  }
  protected attempt(): Buffer | typeof NOT_YET {
    try {
      return this.search();
    } catch (e) {
      if (!this.line) throw e;
      // readline's handling of readuntil's errors (asyncio's StreamReader.readline).
      if (e instanceof IncompleteReadError) return e.partial;
      if (e instanceof LimitOverrunError) this.discard(e.consumed);
      throw e;
    }
  }
  private search(): Buffer | typeof NOT_YET {
    const r = this.reader;
    r.throwIfFailed();
    const seplen = this.sep.length;
    const limit = r.limit;
    if (r.size - this.offset >= seplen) {
      const buf = this.sep.length === 1 && r.chunks.length > 1 ? this.findSpanless() : r.flat();
      const at = buf === null ? -1 : buf.indexOf(this.sep, this.offset);
      if (at !== -1) {
        if (at > limit)
          throw new LimitOverrunError("Separator is found, but chunk is longer than limit", at);
        return r.take(at + seplen);
      }
      this.offset = r.size + 1 - seplen;
      if (this.offset > limit)
        throw new LimitOverrunError(
          "Separator is not found, and chunk exceed the limit",
          this.offset,
        );
    }
    if (r.eof) throw new IncompleteReadError(r.take(r.size), null);
    return NOT_YET;
  }
  /**
   * A one-byte separator cannot span chunks: look for it chunk by chunk, and flatten only
   * when it is there (null when it is not, so nothing is copied while a line arrives).
   */
  private findSpanless(): Buffer | null {
    const r = this.reader;
    let base = 0;
    for (const c of r.chunks) {
      const from = Math.max(0, this.offset - base);
      if (from < c.length && c.indexOf(this.sep, from) !== -1) return r.flat();
      base += c.length;
    }
    return null;
  }
  /** readline past the limit: drop the line (with its separator) or all that is buffered. */
  private discard(consumed: number): void {
    const r = this.reader;
    const buf = r.flat();
    if (buf.length >= consumed + this.sep.length && buf.indexOf(this.sep, consumed) === consumed)
      r.take(consumed + this.sep.length);
    else r.take(r.size);
  }
  protected what(): string {
    return this.line ? "readline" : "readuntil";
  }
}
