// The reference's word on streams: the spindle translations of
// test/reference/streams/*.py print the same traces as Debian's python3 did.

import { describe, expect, test } from "vitest";
import {
  CancelledError,
  IncompleteReadError,
  LimitOverrunError,
  StreamReader,
  createTask,
  openConnection,
  run,
  sleep,
  startServer,
  type StreamReader as Reader,
  type StreamWriter,
} from "../../src/index.js";
import { printer, referenceTrace } from "../reference/trace.js";
import { CORES, portOf } from "./helpers.js";

/** Python's repr of bytes, for the printable ASCII the programs use. */
function repr(b: Uint8Array): string {
  const s = Buffer.from(b)
    .toString("latin1")
    .replace(/\\/g, "\\\\")
    .replace(/\n/g, "\\n")
    .replace(/'/g, "\\'");
  return `b'${s}'`;
}

describe.each(CORES)("%s core", (core) => {
  const opts = { core, clock: "virtual" } as const;

  test("reader_semantics: reads, their errors and a cancelled reader, as asyncio's", async () => {
    const { lines, print } = printer();
    await run(function* () {
      const r = new StreamReader({ limit: 8 });
      r.feedData("hello\nwor");
      print("readline", repr(yield* r.readline()));
      r.feedData("ld!!rest");
      print("readuntil", repr(yield* r.readuntil("!!")));
      print("readexactly", repr(yield* r.readexactly(2)));
      r.feedData("0123456789abcdef\nnext\n");
      try {
        yield* r.readuntil("\n");
      } catch (e) {
        if (!(e instanceof LimitOverrunError)) throw e;
        print("LimitOverrunError consumed", e.consumed);
      }
      print("still buffered", repr(yield* r.readexactly(4)));
      try {
        yield* r.readline();
      } catch (e) {
        // asyncio raises ValueError here; spindle a LimitOverrunError (docs/streams.md).
        if (!(e instanceof LimitOverrunError)) throw e;
        print("readline over the limit:", e.message);
      }
      print("next line", repr(yield* r.readline()));
      const waiter = createTask(r.read(100));
      yield* sleep(0);
      r.feedData("kept");
      waiter.cancel();
      try {
        yield* waiter;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        print("cancelled reader took nothing");
      }
      print("read", repr(yield* r.read(2)));
      r.feedEof();
      try {
        yield* r.readexactly(5);
      } catch (e) {
        if (!(e instanceof IncompleteReadError)) throw e;
        print("IncompleteReadError", repr(e.partial), e.expected);
      }
      print("at_eof", r.atEof() ? "True" : "False");
      print("read after eof", repr(yield* r.read()), repr(yield* r.readline()));
      const r2 = new StreamReader();
      r2.feedData("no separator");
      r2.feedEof();
      try {
        yield* r2.readuntil("\n");
      } catch (e) {
        if (!(e instanceof IncompleteReadError)) throw e;
        print("readuntil at eof", repr(e.partial), e.expected === null ? "None" : e.expected);
      }
    }, opts);
    expect(lines).toEqual(referenceTrace("streams", "reader_semantics"));
  });

  test("echo_server: the tutorial's server and three clients, as asyncio's", async () => {
    const { lines, print } = printer();
    await run(function* () {
      function* handle(reader: Reader, writer: StreamWriter) {
        const data = (yield* reader.read(100)).toString();
        const [host] = writer.getExtraInfo("peername") as [string, number];
        print(`server got '${data}' from ${host}`);
        writer.write(`('${host}', PORT) Your msg ${data}`);
        yield* writer.drain();
        const rest = yield* reader.read();
        print(`server: then read ${repr(rest)}, at_eof ${reader.atEof() ? "True" : "False"}`);
        writer.close();
        yield* writer.waitClosed();
      }
      const server = yield* startServer(handle, "127.0.0.1", 0);
      const port = portOf(server);
      print("serving", server.isServing() ? "True" : "False");
      for (let i = 1; i < 4; i++) {
        const [reader, writer] = yield* openConnection("127.0.0.1", port);
        writer.write(`Thread-${i} say hello ${i}`);
        yield* writer.drain();
        const reply = (yield* reader.read(100)).toString();
        print(`client ${i} got ${reply}`);
        writer.writeEof();
        print(`client ${i} then reads ${repr(yield* reader.read())}`);
        writer.close();
        yield* writer.waitClosed();
      }
      server.close();
      print("serving after close", server.isServing() ? "True" : "False");
      yield* server.waitClosed();
      print("closed");
    }, opts);
    expect(lines).toEqual(referenceTrace("streams", "echo_server"));
  });
});
