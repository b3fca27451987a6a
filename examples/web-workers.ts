// An aiohttp-style application on every core: web.runApp(app, { workers }). node:cluster runs
// this script again in each worker; runApp forks them in the primary and runs the app in each,
// on its own loop, sharing the port.
//
//   npx tsx examples/web-workers.ts                 # one worker per core, port 8080
//   WORKERS=2 PORT=9000 npx tsx examples/web-workers.ts
//   curl http://127.0.0.1:8080/42                   # {"id":"42","pid":…}: a worker's pid
//   Ctrl-C / kill -TERM <primary pid>               # each worker shuts down gracefully
//
// Prints the supervisor's lines on stderr and, once, aiohttp's banner:
//   ======== Running on http://127.0.0.1:8080 ========
//   (Press CTRL+C to quit)
//
// Python: web.run_app has no workers; gunicorn plays that part:
//   gunicorn app:make_app --bind 127.0.0.1:8080 --worker-class aiohttp.GunicornWebWorker -w 2

import { web } from "spindle/http";

const app = new web.Application();
app.router.addGet("/{id}", function* (request) {
  return web.jsonResponse({ id: request.matchInfo.get("id"), pid: process.pid });
});

await web.runApp(app, {
  host: process.env.HOST ?? "127.0.0.1",
  port: Number(process.env.PORT ?? 8080),
  workers: process.env.WORKERS === undefined ? "auto" : Number(process.env.WORKERS),
});
