// One server on every core: node:cluster runs this script again in each worker process;
// superviseWorkers forks them in the primary and runs `serve` in each. Every worker has its
// own spindle loop; they share the port (the primary accepts and hands connections round).
//
//   npx tsx examples/cluster.ts                 # one worker per core, port 8080
//   WORKERS=2 PORT=9000 npx tsx examples/cluster.ts
//   curl http://127.0.0.1:8080/42               # {"id":"42","pid":…}: a worker's pid
//   kill -9 <a worker's pid>                    # the primary forks a replacement
//   Ctrl-C                                      # every worker finishes what is in flight
//
// Prints (on stderr, pids vary):
//   spindle cluster: primary 4100 starting 2 workers
//   spindle cluster: worker 1 (pid 4107, slot 0) forked; alive 1/2 [4107]
//   …
//   spindle cluster: worker 2 (pid 4108, slot 1) listening on 127.0.0.1:8080; alive 2/2 [4107 4108]
//
// The server is node:http driven from a spindle task (each request is a task of the
// worker's loop); spindle/http's web.runApp(app, { workers }) does the same for an app.
//
// Python (gunicorn runs aiohttp apps the same way: a primary forking workers that each run
// their own event loop):  gunicorn app:make_app --worker-class aiohttp.GunicornWebWorker -w 2

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { fromPromise, getRunningLoop, suspend, type Operation } from "spindle";
import { superviseWorkers } from "spindle/cluster";

const WORKERS = process.env.WORKERS === undefined ? "auto" : Number(process.env.WORKERS);
const HOST = process.env.HOST ?? "127.0.0.1";
const PORT = Number(process.env.PORT ?? 8080);

/** GET /{id}: the id, and which worker answered. */
function* handle(req: IncomingMessage, res: ServerResponse): Operation<void> {
  const id = decodeURIComponent((req.url ?? "/").split("?")[0]!.slice(1));
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ id, pid: process.pid }));
}

/** A worker's main task: serve until cancelled (the shutdown), then close gracefully. */
export function* serve(): Operation<void> {
  const loop = getRunningLoop()!;
  const server = createServer((req, res) => void loop.createTask(handle(req, res)));
  yield* fromPromise(
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(PORT, HOST, resolve);
    }),
  );
  try {
    yield* suspend(() => () => {}, { describe: "serving HTTP" }); // until cancelled
  } finally {
    const closed = new Promise((resolve) => server.close(resolve)); // stop accepting
    server.closeIdleConnections();
    yield* fromPromise(closed); // the requests in flight finish first
  }
}

superviseWorkers({ workers: WORKERS, start: serve });
