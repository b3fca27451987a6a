// A server for the HTTP bench shapes, in its own process (bench/http.ts pins it to a core
// with taskset): the same `/{id}` route — answer the id as text — on spindle/http (wasm or
// ts core), raw node:http, or fastify. Prints {"port": n} once listening; answers "cpu" on
// stdin with its process.cpuUsage() as a JSON line; exits on SIGTERM or when stdin closes.
//
//   node bench/http-server.js <spindle-wasm|spindle-ts|node-http|fastify>
//
// Plain JavaScript on the built package (npm run bench builds first): no TS loader in the
// measured process.

import { createServer } from "node:http";
import { createInterface } from "node:readline";

const impl = process.argv[2];

function ready(port) {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  const rl = createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    if (line === "cpu") process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
  });
  rl.on("close", () => process.exit(0));
}

if (impl === "spindle-wasm" || impl === "spindle-ts") {
  const { web } = await import("spindle/http");
  const app = new web.Application();
  app.router.addGet("/{id}", function* (request) {
    return new web.Response({ text: request.matchInfo.get("id") });
  });
  await web.runApp(app, {
    host: "127.0.0.1",
    port: 0,
    print: null,
    core: impl === "spindle-wasm" ? "wasm" : "ts",
    onListening: (site) => ready(site.port),
  });
} else if (impl === "node-http") {
  // The floor: node:http with the route matched by hand (no router at all).
  const server = createServer((req, res) => {
    const id = req.url.slice(1).split("?")[0];
    res.writeHead(200, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": Buffer.byteLength(id),
    });
    res.end(id);
  });
  server.keepAliveTimeout = 75_000;
  server.listen(0, "127.0.0.1", () => ready(server.address().port));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
} else if (impl === "fastify") {
  const { default: Fastify } = await import("fastify");
  const app = Fastify({ logger: false });
  app.get("/:id", async (request, reply) => {
    reply.type("text/plain; charset=utf-8");
    return request.params.id;
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  ready(app.server.address().port);
  process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
} else {
  process.stderr.write(`unknown server ${impl}\n`);
  process.exit(2);
}
