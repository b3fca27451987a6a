// TCP streams end to end on 127.0.0.1: the echo server, peer names, async handlers,
// byte-exact echo of random payloads, many clients at once, and no file descriptor left.

import { randomBytes } from "node:crypto";
import { createServer as createNetServer } from "node:net";
import { describe, expect, test } from "vitest";
import {
  createTask,
  currentTask,
  gather,
  getRunningLoop,
  openConnection,
  run,
  sleep,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../src/index.js";
import { CORES, fdCount, portOf, settle } from "./helpers.js";

/** The tutorial's handler: read one message, answer "<peer> Your msg <data>". */
const handlerTaskNames: string[] = [];

function* tutorialHandler(reader: StreamReader, writer: StreamWriter) {
  const data = yield* reader.read(100);
  const [host, port] = writer.getExtraInfo("peername") as [string, number];
  handlerTaskNames.push(currentTask()!.name);
  writer.write(`('${host}', ${port}) Your msg ${data.toString()}`);
  yield* writer.drain();
  writer.close();
  yield* writer.waitClosed();
}

/** Echoes everything until EOF. */
function* echo(reader: StreamReader, writer: StreamWriter) {
  for (;;) {
    const data = yield* reader.read(65536);
    if (data.length === 0) break;
    writer.write(data);
    yield* writer.drain();
  }
  writer.close();
}

describe.each(CORES)("%s core", (core) => {
  const opts = { core, clock: "virtual" } as const;

  test("the tutorial's server answers with the peer's address and the message", async () => {
    const fds = fdCount();
    const reply = await run(function* () {
      const server = yield* startServer(tutorialHandler, "127.0.0.1", 0);
      expect(server.isServing()).toBe(true);
      const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
      const [, localPort] = writer.getExtraInfo("sockname") as [string, number];
      writer.write("Thread-1 say hello 1");
      const answer = (yield* reader.read()).toString();
      writer.close();
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
      expect(server.isServing()).toBe(false);
      return [answer, localPort] as const;
    }, opts);
    expect(reply[0]).toBe(`('127.0.0.1', ${reply[1]}) Your msg Thread-1 say hello 1`);
    // The connection's task is named after its peer.
    expect(handlerTaskNames.pop()).toBe(`127.0.0.1:${reply[1]}`);
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("an async function handler serves as well as a generator", async () => {
    const got = await run(function* () {
      const server = yield* startServer(
        async (reader: StreamReader, writer: StreamWriter) => {
          for await (const line of reader) writer.write(line.toString().toUpperCase());
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
      writer.write("one\ntwo\n");
      writer.writeEof();
      const all = (yield* reader.read()).toString();
      writer.close();
      server.close();
      yield* server.waitClosed();
      return all;
    }, opts);
    expect(got).toBe("ONE\nTWO\n");
  });

  test("echoes random payloads up to 8 MB byte for byte", async () => {
    const fds = fdCount();
    const sizes = [0, 1, 100, 65_535, 65_537, 1_000_003, 8 * 1024 * 1024];
    const payloads = sizes.map((n) => randomBytes(n));
    const back = await run(function* () {
      const server = yield* startServer(echo, "127.0.0.1", 0);
      const port = portOf(server);
      const results = yield* gather(
        ...payloads.map((p) =>
          (function* () {
            const [reader, writer] = yield* openConnection("127.0.0.1", port);
            // Write in uneven pieces while the echo comes back, draining as we go.
            for (let at = 0; at < p.length; at += 300_001) {
              writer.write(p.subarray(at, at + 300_001));
              yield* writer.drain();
            }
            writer.writeEof();
            const got = yield* reader.read();
            writer.close();
            yield* writer.waitClosed();
            return got;
          })(),
        ),
      );
      server.close();
      yield* server.waitClosed();
      return results;
    }, opts);
    back.forEach((b, i) => expect(Buffer.compare(b, payloads[i]!)).toBe(0));
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("1,000 concurrent clients each get their own answer", async () => {
    const fds = fdCount();
    const n = 1000;
    const answers = await run(function* () {
      const server = yield* startServer(echo, "127.0.0.1", 0, { backlog: 2048 });
      const port = portOf(server);
      const conns = yield* gather(
        ...Array.from({ length: n }, () => openConnection("127.0.0.1", port)),
      );
      const results = yield* gather(
        ...conns.map(([reader, writer], i) =>
          (function* () {
            writer.write(`client ${i}\n`);
            const line = (yield* reader.readline()).toString();
            writer.close();
            yield* writer.waitClosed();
            return line;
          })(),
        ),
      );
      server.close();
      yield* server.waitClosed();
      return results;
    }, opts);
    expect(answers).toEqual(Array.from({ length: n }, (_, i) => `client ${i}\n`));
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });
});

describe.each(CORES)("%s core: sockets on the loop", (core) => {
  test("a socket is an outside wait: no deadlock on the virtual clock while a slow peer writes", async () => {
    // The peer is a plain Node server that answers 50 real ms later: nothing on the loop
    // can wake the reading task, only the socket.
    const peer = createNetServer((s) => s.on("data", (d) => setTimeout(() => s.end(d), 50)));
    await new Promise<void>((r) => peer.listen(0, "127.0.0.1", r));
    const port = (peer.address() as { port: number }).port;
    try {
      const got = await run(
        function* () {
          const before = getRunningLoop()!.stats().holds;
          const [reader, writer] = yield* openConnection("127.0.0.1", port);
          const during = getRunningLoop()!.stats().holds;
          writer.write("slow\n");
          const line = (yield* reader.readline()).toString(); // parked: only I/O can wake it
          writer.close();
          yield* writer.waitClosed();
          return { before, during, line, after: getRunningLoop()!.stats().holds };
        },
        { core, clock: "virtual" },
      );
      expect(got.before).toEqual([]);
      expect(got.during).toEqual([`socket 127.0.0.1:${port}`]);
      expect(got.line).toBe("slow\n");
      expect(got.after).toEqual([]);
    } finally {
      await new Promise((r) => peer.close(r));
    }
  });

  test("cancelling serveForever() closes the server", async () => {
    const serving = await run(
      function* () {
        const server = yield* startServer(echo, "127.0.0.1", 0);
        const t = createTask(server.serveForever());
        yield* sleep(10);
        const before = server.isServing();
        t.cancel();
        yield* sleep(10);
        yield* server.waitClosed();
        return [before, server.isServing(), t.cancelled()];
      },
      { core, clock: "virtual" },
    );
    expect(serving).toEqual([true, false, true]);
  });
});
