// Child process of the streams shapes (bench/streams.ts). Two roles:
//
//   server <impl>                        an echo server on 127.0.0.1, a free port. Prints
//                                        {"port"} once it listens; then, for each "cpu" line
//                                        on stdin, {"cpuUs"} (its user+system CPU so far).
//                                        Exits when stdin closes.
//   clients <impl> <port> <n> <warmMs> <ms>
//                                        n closed-loop clients: each sends
//                                        "Thread-N say hello COUNT", waits for the exact echo,
//                                        checks it, sends the next. After warmMs it prints
//                                        {"phase":"start"}, counts round trips for ms, prints
//                                        {"phase":"end", msgs, ms, cpuUs, bad} and exits.
//
// impl: "net" (raw node:net, callbacks) or "spindle-wasm" / "spindle-ts" (spindle's
// streams on that core). The spindle server is the tutorial's handler without the peer in
// the answer: read(1024), write it back, drain.
//
// spindle comes from dist/ (what `npm run bench` has just built), as a user's program gets
// it, not from src/ through tsx: tsx transpiles with esbuild's keepNames, which wraps every
// closure a function creates in a __name() call (an Object.defineProperty each time), and
// that doubled the CPU per message of the spindle clients (34.6 against 17.0 µs, measured),
// while the raw net side runs Node's own JavaScript either way.

import { connect, createServer, type Socket } from "node:net";
import { createInterface } from "node:readline";
import {
  fromPromise,
  gather,
  openConnection,
  run,
  sleep,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../dist/index.js";

const [role, impl, ...rest] = process.argv.slice(2);
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const core = impl === "spindle-ts" ? "ts" : "wasm";

function onStdinClose(fn: () => void): void {
  const rl = createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    if (line.trim() === "cpu") out({ cpuUs: cpuUs() });
  });
  rl.on("close", fn);
}

async function server(): Promise<void> {
  if (impl === "net") {
    const srv = createServer((s) => {
      s.setNoDelay(true);
      s.on("data", (d) => s.write(d));
      s.on("error", () => s.destroy());
    });
    srv.listen({ host: "127.0.0.1", port: 0, backlog: 2048 }, () =>
      out({ port: (srv.address() as { port: number }).port }),
    );
    onStdinClose(() => process.exit(0));
    return;
  }
  const stop = new Promise<void>((resolve) => onStdinClose(resolve));
  await run(
    function* () {
      const srv = yield* startServer(
        function* (reader: StreamReader, writer: StreamWriter) {
          for (;;) {
            const data = yield* reader.read(1024);
            if (data.length === 0) break;
            writer.write(data);
            yield* writer.drain();
          }
        },
        "127.0.0.1",
        0,
        { backlog: 2048 },
      );
      out({ port: (srv.address() as { port: number }).port });
      yield* fromPromise(stop);
      srv.close();
    },
    { core },
  );
  process.exit(0);
}

interface Counters {
  measuring: boolean;
  stop: boolean;
  msgs: number;
  bad: number;
}

function netClients(port: number, n: number, c: Counters): Promise<void> {
  let open = n;
  return new Promise((resolve) => {
    for (let i = 1; i <= n; i++) {
      const s: Socket = connect({ host: "127.0.0.1", port, noDelay: true });
      let count = 0;
      let expect = "";
      let got = "";
      const send = () => {
        if (c.stop) {
          s.end();
          return;
        }
        expect = `Thread-${i} say hello ${count++}`;
        got = "";
        s.write(expect);
      };
      s.setEncoding("latin1");
      s.on("connect", send);
      s.on("data", (d: string) => {
        got += d;
        if (got.length < expect.length) return;
        if (got !== expect) c.bad++;
        if (c.measuring) c.msgs++;
        send();
      });
      s.on("close", () => {
        if (--open === 0) resolve();
      });
      s.on("error", () => c.bad++);
    }
  });
}

function* spindleClient(i: number, port: number, c: Counters) {
  const [reader, writer] = yield* openConnection("127.0.0.1", port);
  for (let count = 0; !c.stop; count++) {
    const msg = Buffer.from(`Thread-${i} say hello ${count}`, "latin1");
    writer.write(msg);
    yield* writer.drain();
    const back = yield* reader.readexactly(msg.length);
    if (!back.equals(msg)) c.bad++;
    if (c.measuring) c.msgs++;
  }
  writer.close();
  yield* writer.waitClosed();
}

async function clients(): Promise<void> {
  const [port, n, warmMs, ms] = rest.map(Number) as [number, number, number, number];
  const c: Counters = { measuring: false, stop: false, msgs: 0, bad: 0 };
  let t0 = 0;
  let cpu0 = 0;
  const window = (): { ms: number; cpuUs: number } => ({
    ms: performance.now() - t0,
    cpuUs: cpuUs() - cpu0,
  });
  let measured = { ms: 0, cpuUs: 0 };
  const begin = () => {
    out({ phase: "start" });
    t0 = performance.now();
    cpu0 = cpuUs();
    c.measuring = true;
  };
  const end = () => {
    c.measuring = false;
    measured = window();
    out({ phase: "stop" });
    c.stop = true;
  };
  if (impl === "net") {
    setTimeout(() => {
      begin();
      setTimeout(end, ms);
    }, warmMs);
    await netClients(port, n, c);
  } else {
    await run(
      function* () {
        const all = Array.from({ length: n }, (_, i) => spindleClient(i + 1, port, c));
        const timer = (function* () {
          yield* sleep(warmMs);
          begin();
          yield* sleep(ms);
          end();
        })();
        yield* gather(timer, ...all);
      },
      { core },
    );
  }
  out({ phase: "end", msgs: c.msgs, ms: measured.ms, cpuUs: measured.cpuUs, bad: c.bad });
  process.exit(0);
}

if (role === "server") await server();
else if (role === "clients") await clients();
else throw new Error(`streams-child: unknown role ${role}`);
