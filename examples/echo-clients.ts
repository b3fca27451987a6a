// The tutorial's 500 clients — as 500 coroutines in one thread instead of 500 threads.
//
// Each client connects to the echo server (examples/echo-server.ts), sends
// "Thread-N say hello COUNT", prints the answer ("('127.0.0.1', <its port>) Your msg
// Thread-N say hello COUNT"), and goes on with COUNT + 1; the tutorial's clients looped
// forever, these stop after ROUNDS messages and hang up.
//
//   PORT=9999 npx tsx examples/echo-clients.ts        (CLIENTS=500 ROUNDS=3 by default)
//
// Prints CLIENTS × ROUNDS answers, interleaved as the connections take turns, then
// "<n> answers from <CLIENTS> clients".

import { pathToFileURL } from "node:url";
import { gather, openConnection, run } from "spindle";

/** Options of main. */
export interface Options {
  host?: string;
  /** The server's port; default $PORT or 9999. */
  port?: number;
  /** How many client coroutines; default $CLIENTS or 500. */
  clients?: number;
  /** Messages per client; default $ROUNDS or 3. */
  rounds?: number;
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

/** One client: `rounds` messages, each answer printed. */
export function* client(
  name: string,
  host: string,
  port: number,
  rounds: number,
  log: (line: string) => void,
) {
  const [reader, writer] = yield* openConnection(host, port);
  for (let count = 0; count < rounds; count++) {
    writer.write(`${name} say hello ${count}`);
    yield* writer.drain();
    const answer = yield* reader.read(1024);
    if (answer.length === 0) throw new Error(`${name}: the server hung up`);
    log(answer.toString());
  }
  writer.close();
  yield* writer.waitClosed();
  return rounds;
}

export async function main({
  host = "127.0.0.1",
  port = Number(process.env.PORT ?? 9999),
  clients = Number(process.env.CLIENTS ?? 500),
  rounds = Number(process.env.ROUNDS ?? 3),
  log = console.log,
}: Options = {}): Promise<void> {
  const counts = await run(function* () {
    return yield* gather(
      ...Array.from({ length: clients }, (_, i) =>
        client(`Thread-${i + 1}`, host, port, rounds, log),
      ),
    );
  });
  log(`${counts.reduce((a, b) => a + b, 0)} answers from ${clients} clients`);
}

// Run when executed directly (npx tsx examples/echo-clients.ts), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
