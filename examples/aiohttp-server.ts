// The tutorial's aiohttp server in spindle: `GET /` answers the path with status 201,
// `GET /{id}` answers the id (printing the match info and the query string, as the
// tutorial's handler does). web.runApp prints where it listens and serves until Ctrl+C
// (SIGINT) or SIGTERM, then shuts down gracefully.
//
//   npx tsx examples/aiohttp-server.ts            # port 9977, as the tutorial
//   HOST=127.0.0.1 PORT=8080 npx tsx examples/aiohttp-server.ts
//
//   curl -i http://127.0.0.1:9977/            -> 201, "/"
//   curl -i 'http://127.0.0.1:9977/42?x=1'    -> 200, "42"; the server prints
//        <MatchInfo {'id': '42'}: <Route [GET] /{id} -> handle>>
//        x=1
//
// Python (the tutorial):
//   async def indexhandle(request: web.Request):
//       return web.Response(text=request.path, status=201)
//   async def handle(request: web.Request):
//       print(request.match_info)
//       print(request.query_string)
//       return web.Response(text=request.match_info.get('id', '0000'), status=200)
//   app = web.Application()
//   app.router.add_get("/", indexhandle)
//   app.router.add_get("/{id}", handle)
//   web.run_app(app, host='0.0.0.0', port=9977)

import { pathToFileURL } from "node:url";
import { web } from "spindle/http";

/** Options of main (tests pass port 0, a log and an AbortSignal). */
export interface Options {
  host?: string;
  port?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
  onListening?: (site: web.TCPSite) => void;
}

/** The tutorial's application. */
export function makeApp(log: (line: string) => void = console.log): web.Application {
  function* indexhandle(request: web.Request) {
    return new web.Response({ text: request.path, status: 201 });
  }
  function* handle(request: web.Request) {
    log(String(request.matchInfo));
    log(request.queryString);
    return new web.Response({ text: request.matchInfo.get("id", "0000"), status: 200 });
  }
  const app = new web.Application();
  app.router.addGet("/", indexhandle);
  app.router.addGet("/{id}", handle);
  return app;
}

/** Serves the tutorial's application until SIGINT, SIGTERM or `signal`. */
export async function main({
  host = process.env["HOST"] ?? "0.0.0.0",
  port = Number(process.env["PORT"] ?? 9977),
  log = console.log,
  signal,
  onListening,
}: Options = {}): Promise<void> {
  await web.runApp(makeApp(log), { host, port, print: log, signal, onListening });
}

// Run when executed directly, not when imported by a test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
