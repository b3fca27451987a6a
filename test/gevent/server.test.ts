// StreamServer and createConnection on 127.0.0.1: the tutorial's upper-casing server,
// many clients at once, a Pool capping the handlers, line reading, stop(); every server a
// test starts it stops, and the fds come back.

import { describe, expect, test } from "vitest";
import { run } from "../../src/index.js";
import * as gevent from "../../src/gevent/index.js";
import { CORES, fdCount, settle } from "../streams/helpers.js";
import { referenceTrace } from "../reference/trace.js";

/** Python's repr() of bytes, for the ASCII the programs send. */
function bytes(b: Buffer): string {
  return `b'${b.toString("latin1").replace(/\n/g, "\\n")}'`;
}

/** Python's str() of a bool. */
const py = (v: boolean) => (v ? "True" : "False");

function* talk(conn: gevent.Socket) {
  try {
    for (;;) {
      const res = yield* conn.recv(1024);
      if (res.length === 0) break;
      yield* conn.send(res.toString().toUpperCase());
    }
  } finally {
    conn.close();
  }
}

describe.each(CORES)("%s core: StreamServer", (core) => {
  test("server.py: the same trace as real gevent's StreamServer and sockets", async () => {
    const before = fdCount();
    const lines: string[] = [];
    const print = (...parts: string[]) => void lines.push(parts.join(" "));
    await run(
      function* () {
        function* handle(sock: gevent.Socket, addr: gevent.Address) {
          print("handler got a connection from", addr[0]);
          const f = sock.makefile();
          const line = yield* f.readline();
          print("handler read line", bytes(line));
          yield* sock.sendall(line.toString().toUpperCase());
          const data = yield* sock.recv(1024);
          print("handler recv", bytes(data));
          yield* sock.sendall("bye\n");
          sock.close();
          print("handler closed");
        }
        const server = new gevent.StreamServer(["127.0.0.1", 0], handle);
        print("before start: closed", py(server.closed));
        yield* server.start();
        print(
          "started: closed",
          py(server.closed),
          "host",
          server.serverHost,
          "port > 0",
          py(server.serverPort > 0),
        );
        const c = yield* gevent.createConnection(["127.0.0.1", server.serverPort]);
        yield* c.sendall("hello\n");
        print("client got", bytes(yield* c.recv(1024)));
        yield* c.sendall("more");
        print("client got", bytes(yield* c.recv(1024)));
        print("client got at EOF", bytes(yield* c.recv(1024)));
        c.close();
        yield* server.stop();
        print("stopped: closed", py(server.closed));
      },
      { core },
    );
    expect(lines).toEqual(referenceTrace("gevent", "server"));
    expect(await settle(() => fdCount() <= before)).toBe(true);
  });

  test("serves 50 clients at once, each gets its messages back upper-cased", async () => {
    const before = fdCount();
    const replies = await run(
      function* () {
        const server = new gevent.StreamServer(["127.0.0.1", 0], talk);
        yield* server.start();
        expect(server.closed).toBe(false);
        const [host, port] = server.address;
        expect(host).toBe("127.0.0.1");
        expect(port).toBeGreaterThan(0);
        function* client(i: number) {
          const c = yield* gevent.createConnection([host, port]);
          const got: string[] = [];
          for (let n = 0; n < 3; n++) {
            yield* c.send(`client ${i} say hello ${n}`);
            got.push(String(yield* c.recv(1024)));
          }
          c.close();
          return got;
        }
        const clients = Array.from({ length: 50 }, (_, i) => gevent.spawn(client, i));
        yield* gevent.joinAll(clients, { raiseError: true });
        yield* server.stop();
        expect(server.closed).toBe(true);
        return clients.map((g) => g.value as string[]);
      },
      { core },
    );
    expect(replies).toHaveLength(50);
    replies.forEach((got, i) =>
      expect(got).toEqual([0, 1, 2].map((n) => `CLIENT ${i} SAY HELLO ${n}`)),
    );
    expect(await settle(() => fdCount() <= before)).toBe(true);
  });

  test("a Pool of 2 caps the handlers running at once; the others wait their turn", async () => {
    const before = fdCount();
    const peak = await run(
      function* () {
        let running = 0;
        let most = 0;
        function* slow(conn: gevent.Socket) {
          running++;
          most = Math.max(most, running);
          yield* gevent.sleep(30);
          yield* conn.sendall("done\n");
          running--;
          conn.close();
        }
        const server = new gevent.StreamServer(["127.0.0.1", 0], slow, { pool: 2 });
        yield* server.start();
        function* client() {
          const c = yield* gevent.createConnection(server.address);
          const line = yield* c.makefile().readline();
          c.close();
          return String(line);
        }
        const clients = Array.from({ length: 6 }, () => gevent.spawn(client));
        yield* gevent.joinAll(clients, { raiseError: true });
        expect(clients.map((g) => g.value)).toEqual(Array(6).fill("done\n"));
        yield* server.stop();
        return most;
      },
      { core },
    );
    expect(peak).toBe(2);
    expect(await settle(() => fdCount() <= before)).toBe(true);
  });

  test("recv returns an empty Buffer at EOF; makefile reads lines", async () => {
    await run(
      function* () {
        const server = new gevent.StreamServer(["127.0.0.1", 0], function* (conn) {
          yield* conn.sendall("one\ntwo\n");
          conn.close();
        });
        yield* server.start();
        const c = yield* gevent.createConnection(server.address);
        const f = c.makefile();
        expect(String(yield* f.readline())).toBe("one\n");
        expect(String(yield* f.readline())).toBe("two\n");
        expect((yield* c.recv(10)).length).toBe(0);
        c.close();
        yield* server.stop();
      },
      { core },
    );
  });

  test("serveForever serves until stop(); stop kills handlers still running after its timeout", async () => {
    const trace = await run(
      function* () {
        const log: string[] = [];
        function* stuck(conn: gevent.Socket) {
          try {
            yield* conn.recv(10); // the client never writes
          } catch (e) {
            log.push(`handler got ${(e as Error).name}`);
            throw e;
          } finally {
            conn.close();
          }
        }
        const server = new gevent.StreamServer(["127.0.0.1", 0], stuck);
        const serving = gevent.spawn(function* () {
          yield* server.serveForever();
          log.push("serveForever returned");
        });
        yield* gevent.sleep(20);
        const c = yield* gevent.createConnection(server.address);
        yield* gevent.sleep(20);
        yield* server.stop(30);
        yield* serving.join();
        c.close();
        return log;
      },
      { core },
    );
    expect(trace).toEqual(["handler got GreenletExit", "serveForever returned"]);
  });
});
