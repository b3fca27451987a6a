// A WebSocket echo: the server answers every text message with "echo: <text>" until the
// client closes; the client (session.wsConnect) sends three messages and prints the
// replies. Both run on one loop here; run the server alone with `serve`.
//
//   npx tsx examples/websocket-echo.ts          # server and client together
//   npx tsx examples/websocket-echo.ts serve    # the server alone, port 8081 (PORT=...)
//
// Prints:
//   echo: hello
//   echo: from
//   echo: spindle
//   closed with 1000

import { pathToFileURL } from "node:url";
import { run } from "spindle";
import { ClientSession, web } from "spindle/http";

/** The echo application. */
export function makeApp(): web.Application {
  const app = new web.Application();
  app.router.addGet("/ws", function* (request) {
    const ws = new web.WebSocketResponse({ heartbeat: 30_000 });
    yield* ws.prepare(request);
    for (;;) {
      const msg = yield* ws.receive();
      if (msg.type !== web.WSMsgType.TEXT) break; // CLOSE (or an error): the loop ends
      yield* ws.sendStr(`echo: ${String(msg.data)}`);
    }
    return ws;
  });
  return app;
}

/** Serves the echo on a free port, talks to it, prints the replies. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  await run(function* () {
    const runner = new web.AppRunner(makeApp());
    yield* runner.setup();
    const site = new web.TCPSite(runner, "127.0.0.1", 0);
    yield* site.start();
    const session = new ClientSession();
    try {
      const ws = yield* session.wsConnect(`http://127.0.0.1:${site.port}/ws`);
      for (const word of ["hello", "from", "spindle"]) {
        yield* ws.sendStr(word);
        log(yield* ws.receiveStr());
      }
      yield* ws.close();
      log(`closed with ${ws.closeCode}`);
    } finally {
      yield* session.close();
      yield* runner.cleanup();
    }
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === "serve")
    await web.runApp(makeApp(), { port: Number(process.env["PORT"] ?? 8081) });
  else await main();
}
