// The tutorial's single-threaded concurrent socket server, and its 500 clients.
//
// The server upper-cases what each client sends. Every connection's `talk` runs in a
// greenlet of its own, so one slow client never holds up the others — in one thread,
// without a thread per client. The tutorial accepts in a loop and spawns `talk` itself;
// gevent's StreamServer does exactly that (and a Pool would cap the greenlets). The
// tutorial's clients are 500 threads looping forever; here they are 500 greenlets that
// each say hello `rounds` times, so the program ends.
//
// One fix: the tutorial's `if not res: continue` spins forever once a client has gone
// (recv returns b'' at EOF, again and again); here EOF ends the conversation.
//
//   npx tsx examples/gevent-socket-server.ts
//
// Python (server):
//   def talk(conn, addr):
//       try:
//           while True:
//               res = conn.recv(1024)
//               if not res: continue
//               print('client %s:%s msg: %s .' % (addr[0], addr[1], res))
//               conn.send(res.upper())
//       except Exception:
//           pass
//       finally:
//           conn.close()
//   # server(): bind, listen, and `gevent.spawn(talk, conn, addr)` for each accept()
//
// Python (clients, in threads):
//   def client(server_ip, port):
//       c = socket(AF_INET, SOCK_STREAM)
//       c.connect((server_ip, port))
//       count = 0
//       while True:
//           c.send(('%s say hello %s' % (threading.current_thread().getName(), count)).encode('utf-8'))
//           msg = c.recv(1024)
//           print(msg.decode('utf-8'))
//           count += 1
//   for i in range(500):
//       Thread(target=client, args=('127.0.0.1', 8080)).start()
//
// Prints the server's "client ... msg" lines and the clients' replies, interleaved, then:
//   500 clients × 3 messages, every reply upper-cased

import { pathToFileURL } from "node:url";
import { run } from "spindle";
import * as gevent from "spindle/gevent";

/** Options of main. */
export interface Options {
  /** The port (default 8080; 0 picks a free one). */
  port?: number;
  /** How many clients (default 500). */
  clients?: number;
  /** How many messages each client sends (default 3). */
  rounds?: number;
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

/** Runs the server and the clients; returns how many replies came back upper-cased. */
export async function main({
  port = 8080,
  clients = 500,
  rounds = 3,
  log = console.log,
}: Options = {}): Promise<number> {
  function* talk(conn: gevent.Socket, addr: gevent.Address) {
    try {
      for (;;) {
        const res = yield* conn.recv(1024);
        if (res.length === 0) break; // the client has gone
        log(`client ${addr[0]}:${addr[1]} msg: ${res.toString()} .`);
        yield* conn.send(res.toString().toUpperCase()); // res.upper()
      }
    } finally {
      conn.close();
    }
  }

  function* client(name: string, address: gevent.Address) {
    const c = yield* gevent.createConnection(address);
    let good = 0;
    try {
      for (let count = 0; count < rounds; count++) {
        const sent = `${name} say hello ${count}`;
        yield* c.send(sent);
        const msg = (yield* c.recv(1024)).toString();
        log(msg);
        if (msg === sent.toUpperCase()) good++;
      }
    } finally {
      c.close();
    }
    return good;
  }

  return await run(function* () {
    const server = new gevent.StreamServer(["127.0.0.1", port], talk);
    yield* server.start();
    try {
      const gs = Array.from({ length: clients }, (_, i) =>
        gevent.spawn(client, `Thread-${i + 1}`, server.address),
      );
      yield* gevent.joinAll(gs, { raiseError: true });
      const good = gs.reduce((n, g) => n + (g.value as number), 0);
      const all = good === clients * rounds ? "every reply upper-cased" : `${good} good replies`;
      log(`${clients} clients × ${rounds} messages, ${all}`);
      return good;
    } finally {
      yield* server.stop();
    }
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
