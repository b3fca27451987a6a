// The tutorial's TCP echo server: one coroutine per connection, all in one thread.
//
// Each connection's handler reads a message (up to 1024 bytes), answers
// "<peer> Your msg <message>" with the peer's address as Python prints a tuple, and drains.
// It loops until the client hangs up (the tutorial's handler looped forever: at EOF
// reader.read() returns empty, so here the loop ends and the connection is closed).
//
//   PORT=9999 npx tsx examples/echo-server.ts          (PORT=0: a free port)
//
// Prints "serving on 127.0.0.1:<port>" once it listens, then serves until Ctrl-C.
// examples/echo-clients.ts is its client: 500 client coroutines in one thread.

import { pathToFileURL } from "node:url";
import type { AddressInfo } from "node:net";
import { fromPromise, run, startServer, type StreamReader, type StreamWriter } from "spindle";

/** Options of main. */
export interface Options {
  host?: string;
  /** Port to listen on (0: a free one); default $PORT or 9999. */
  port?: number;
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
  /** Stop serving when this signal aborts (default: serve until the process ends). */
  signal?: AbortSignal;
}

/** The tutorial's handler: answer every message with the peer and the message. */
export function* handle(reader: StreamReader, writer: StreamWriter) {
  const [host, port] = writer.getExtraInfo("peername") as [string, number];
  for (;;) {
    const data = yield* reader.read(1024);
    if (data.length === 0) break; // the client hung up
    writer.write(`('${host}', ${port}) Your msg ${data.toString()}`);
    yield* writer.drain();
  }
  writer.close();
}

export async function main({
  host = "127.0.0.1",
  port = Number(process.env.PORT ?? 9999),
  log = console.log,
  signal,
}: Options = {}): Promise<void> {
  await run(function* () {
    const server = yield* startServer(handle, host, port, { backlog: 1024 });
    const bound = server.address() as AddressInfo;
    log(`serving on ${bound.address}:${bound.port}`);
    if (signal === undefined) return yield* server.serveForever();
    // Serve until the signal aborts; run() then cancels the handlers still running.
    yield* fromPromise(
      new Promise((resolve) => {
        if (signal.aborted) resolve(undefined);
        else signal.addEventListener("abort", resolve, { once: true });
      }),
    );
    server.close();
  });
}

// Run when executed directly (npx tsx examples/echo-server.ts), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  process.once("SIGTERM", () => stop.abort());
  await main({ signal: stop.signal });
}
