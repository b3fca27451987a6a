// Bad input and faults: each ends in a clear error or a clean close, the server keeps
// serving the others, and no file descriptor is left behind.

import { Socket, connect as rawConnect, createServer as rawServer } from "node:net";
import { describe, expect, test } from "vitest";
import {
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  GaiError,
  InvalidStateError,
  LimitOverrunError,
  OSError,
  TimeoutError,
  createTask,
  fromPromise,
  getRunningLoop,
  openConnection,
  run,
  sleep,
  startServer,
  waitFor,
  type ExceptionContext,
  type Server,
  type StreamReader,
  type StreamWriter,
} from "../../src/index.js";
import { CORES, fdCount, portOf, settle } from "./helpers.js";

/** Echoes lines until EOF; answers "ERR <name>" to a line that breaks its read. */
function* lineEcho(reader: StreamReader, writer: StreamWriter) {
  for (;;) {
    let line: Buffer;
    try {
      line = yield* reader.readline();
    } catch (e) {
      if (!(e instanceof LimitOverrunError)) throw e;
      writer.write(`ERR ${e.name}\n`);
      continue;
    }
    if (line.length === 0) break;
    writer.write(line);
    yield* writer.drain();
  }
}

/** One round trip with a fresh client: proves the server still serves. */
function* roundTrip(port: number, text = "still here") {
  const [reader, writer] = yield* openConnection("127.0.0.1", port);
  writer.write(`${text}\n`);
  const line = (yield* reader.readline()).toString();
  writer.close();
  yield* writer.waitClosed();
  return line;
}

function* stop(server: Server) {
  server.close();
  yield* server.waitClosed();
}

function* caught(op: Iterable<unknown>): Generator<never, unknown, unknown> {
  try {
    yield* op as Generator<never>;
  } catch (e) {
    return e;
  }
  return "no error";
}

/** A raw Node socket, connected. */
function rawClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = rawConnect({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
  });
}

describe.each(CORES)("%s core", (core) => {
  const opts = { core, clock: "real" } as const;

  test("a peer reset is ConnectionResetError in the handler; the server serves on", async () => {
    const fds = fdCount();
    const seen: unknown[] = [];
    const after = await run(function* () {
      const server = yield* startServer(
        function* (reader: StreamReader) {
          try {
            for (;;) if ((yield* reader.read(10)).length === 0) break;
            seen.push("eof");
          } catch (e) {
            seen.push(e);
          }
        },
        "127.0.0.1",
        0,
      );
      const raw = yield* fromPromise(rawClient(portOf(server)));
      raw.write("some bytes");
      yield* sleep(20);
      raw.resetAndDestroy();
      while (seen.length === 0) yield* sleep(5);
      server.close();
      const s2 = yield* startServer(lineEcho, "127.0.0.1", 0);
      const line = yield* roundTrip(portOf(s2));
      yield* stop(s2);
      yield* server.waitClosed();
      return line;
    }, opts);
    expect(seen[0]).toBeInstanceOf(ConnectionResetError);
    expect((seen[0] as ConnectionResetError).code).toBe("ECONNRESET");
    expect((seen[0] as ConnectionResetError).errno).toBe(104);
    expect(seen[0]).toBeInstanceOf(ConnectionError);
    expect(after).toBe("still here\n");
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("half-close: the server reads EOF, reads after EOF are empty, and it can still answer", async () => {
    const got = await run(function* () {
      const server = yield* startServer(
        function* (reader: StreamReader, writer: StreamWriter) {
          const all = yield* reader.read();
          const again = yield* reader.read(10);
          writer.write(`got ${all.length} bytes, then ${again.length}, eof ${reader.atEof()}`);
          yield* writer.drain();
        },
        "127.0.0.1",
        0,
      );
      const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
      expect(writer.canWriteEof()).toBe(true);
      writer.write("12345");
      writer.writeEof();
      const answer = (yield* reader.read()).toString();
      const errors = [
        yield* caught(
          (function* () {
            writer.write("late");
          })(),
        ),
      ];
      writer.close();
      errors.push(
        yield* caught(
          (function* () {
            writer.write("later");
          })(),
        ),
      );
      yield* writer.waitClosed();
      yield* stop(server);
      return { answer, errors };
    }, opts);
    expect(got.answer).toBe("got 5 bytes, then 0, eof true");
    expect(got.errors.map((e) => (e as Error).name)).toEqual([
      "InvalidStateError",
      "InvalidStateError",
    ]);
    expect(got.errors[1]).toBeInstanceOf(InvalidStateError);
  });

  test("a handler that throws is reported, its connection closed, the others served", async () => {
    const fds = fdCount();
    const reports: ExceptionContext[] = [];
    const out = await run(function* () {
      getRunningLoop()!.setExceptionHandler((_l, ctx) => void reports.push(ctx));
      let first = true;
      const server = yield* startServer(
        function* (reader: StreamReader, writer: StreamWriter) {
          if (first) {
            first = false;
            yield* reader.readline();
            throw new Error("handler bug");
          }
          yield* lineEcho(reader, writer);
        },
        "127.0.0.1",
        0,
      );
      const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
      writer.write("boom\n");
      const eof = yield* reader.read();
      writer.close();
      const line = yield* roundTrip(portOf(server));
      yield* stop(server);
      return [eof.length, line];
    }, opts);
    expect(out).toEqual([0, "still here\n"]);
    expect(reports.map((r) => [r.message, (r.exception as Error).message])).toEqual([
      ["Unhandled exception in client_connected_cb", "handler bug"],
    ]);
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("connect refused is ConnectionRefusedError with errno and code", async () => {
    const fds = fdCount();
    const e = await run(function* () {
      // A port that was free a moment ago: listen, note it, close.
      const probe = rawServer();
      yield* fromPromise(new Promise<void>((r) => probe.listen(0, "127.0.0.1", r)));
      const port = (probe.address() as { port: number }).port;
      yield* fromPromise(new Promise((r) => probe.close(r)));
      return yield* caught(openConnection("127.0.0.1", port));
    }, opts);
    expect(e).toBeInstanceOf(ConnectionRefusedError);
    expect([(e as OSError).code, (e as OSError).errno]).toEqual(["ECONNREFUSED", 111]);
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("a name that does not resolve is GaiError", async () => {
    const e = await run(
      () => caught(waitFor(openConnection("no-such-host.invalid", 80), 5000)),
      opts,
    );
    expect(e).toBeInstanceOf(GaiError);
    expect(["ENOTFOUND", "EAI_AGAIN"]).toContain((e as OSError).code);
  });

  test("a port in use is OSError EADDRINUSE, with the address in its message", async () => {
    const fds = fdCount();
    const e = await run(function* () {
      const server = yield* startServer(lineEcho, "127.0.0.1", 0);
      const err = yield* caught(startServer(lineEcho, "127.0.0.1", portOf(server)));
      yield* stop(server);
      return err;
    }, opts);
    expect(e).toBeInstanceOf(OSError);
    expect([(e as OSError).code, (e as OSError).errno]).toEqual(["EADDRINUSE", 98]);
    expect((e as Error).message).toMatch(/bind on address \('127\.0\.0\.1', \d+\)/);
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("a line longer than the limit is a LimitOverrunError the handler can answer", async () => {
    const lines = await run(function* () {
      const server = yield* startServer(lineEcho, "127.0.0.1", 0, { limit: 16 });
      const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
      writer.write(`${"x".repeat(100)}\nshort\n`);
      const got = [(yield* reader.readline()).toString(), (yield* reader.readline()).toString()];
      writer.close();
      yield* stop(server);
      return got;
    }, opts);
    expect(lines).toEqual(["ERR LimitOverrunError\n", "short\n"]);
  });

  test("a connect cancelled by a timeout leaves no socket behind", async () => {
    const fds = fdCount();
    const e = await run(function* () {
      const server = yield* startServer(lineEcho, "127.0.0.1", 0);
      const err = yield* caught(waitFor(openConnection("127.0.0.1", portOf(server)), 0));
      yield* sleep(20);
      yield* stop(server);
      return err;
    }, opts);
    expect(e).toBeInstanceOf(TimeoutError);
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("a peer that never reads: drain() parks, memory stays bounded, its reset wakes it", async () => {
    const fds = fdCount();
    const state = { written: 0, pending: 0, error: null as unknown };
    await run(function* () {
      const chunk = Buffer.alloc(64 * 1024, 120);
      const server = yield* startServer(
        function* (_reader: StreamReader, writer: StreamWriter) {
          try {
            for (let i = 0; i < 1600; i++) {
              writer.write(chunk); // 100 MB offered, 64 KiB at a time
              state.written += chunk.length;
              yield* writer.drain();
            }
          } catch (e) {
            state.error = e;
          }
          state.pending = (writer.getExtraInfo("socket") as Socket).writableLength;
        },
        "127.0.0.1",
        0,
      );
      const raw = yield* fromPromise(rawClient(portOf(server)));
      raw.pause(); // never reads
      yield* sleep(300);
      const stuckAt = state.written;
      expect(stuckAt).toBeLessThan(32 * 1024 * 1024); // kernel buffers, not 100 MB
      yield* sleep(100);
      expect(state.written).toBe(stuckAt); // parked in drain(), not spinning
      raw.destroy();
      while (state.error === null) yield* sleep(5);
      const s2 = yield* startServer(lineEcho, "127.0.0.1", 0);
      expect(yield* roundTrip(portOf(s2))).toBe("still here\n");
      yield* stop(s2);
      yield* stop(server);
    }, opts);
    expect(state.error).toBeInstanceOf(ConnectionError);
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("maxConnections serves at most that many at once and the rest in turn", async () => {
    let active = 0;
    let peak = 0;
    const replies = await run(function* () {
      const server = yield* startServer(
        function* (reader: StreamReader, writer: StreamWriter) {
          active++;
          peak = Math.max(peak, active);
          const line = yield* reader.readline();
          yield* sleep(30);
          writer.write(line);
          yield* writer.drain();
          active--;
        },
        "127.0.0.1",
        0,
        { maxConnections: 2 },
      );
      const port = portOf(server);
      const tasks = Array.from({ length: 5 }, (_, i) => createTask(roundTrip(port, `c${i}`)));
      const out: string[] = [];
      for (const t of tasks) out.push(yield* t);
      yield* stop(server);
      return out;
    }, opts);
    expect(peak).toBe(2);
    expect(replies).toEqual(["c0\n", "c1\n", "c2\n", "c3\n", "c4\n"]);
  });
});
