// HTTP requests per second of a `/{id}` route served by 1 and by 2 worker processes
// (spindle/cluster on node:cluster), loaded by wrk. Not a shape of `npm run bench`: one
// measurement is seconds of wrk per configuration plus process start-up, and wrk is an
// outside binary (/usr/bin/wrk), so it runs on its own:
//
//   npm run -s build && npx tsx bench/cluster-http.ts [--rounds 3] [--duration 3]
//                                                      [--connections 32] [--servers app,node]
//
// What it runs, each with WORKERS=1 and WORKERS=2:
//   app   examples/web-workers.ts: a spindle/http web.Application, web.runApp(app, { workers })
//   node  examples/cluster.ts: node:http driven from a spindle task per request, under
//         superviseWorkers (no router, no Request/Response objects)
// in alternating rounds so every configuration sees the same machine; each round warms up
// for 1 s, then `wrk -t1 -c<connections> -d<duration>` measures. wrk keeps its connections open (keep-alive), so this measures requests, not
// connection set-up; the primary hands each new connection to a worker in turn, then the
// connection stays with that worker.
//
// Be honest about the machine: wrk runs on the same cores as the server. With one wrk thread
// it takes a good part of a core itself, so "2 workers on 2 cores" is really 2 workers on
// what wrk leaves of 2 cores; and other programs sharing the machine show in the load average
// printed with the results. It checks its own results: a GET before each measurement must
// answer the id it asked for, and wrk must report no errors and no non-2xx answers.

import { spawn, execFile, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SERVERS: Record<string, { file: string; what: string }> = {
  app: {
    file: fileURLToPath(new URL("../examples/web-workers.ts", import.meta.url)),
    what: "web.runApp(app, { workers }) — examples/web-workers.ts",
  },
  node: {
    file: fileURLToPath(new URL("../examples/cluster.ts", import.meta.url)),
    what: "superviseWorkers + node:http, a task per request (no router, no Request/Response) — examples/cluster.ts",
  },
};
const WRK = "/usr/bin/wrk";
const CONFIGS = [1, 2];

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = option("rounds", 3);
const DURATION = option("duration", 3);
const CONNECTIONS = option("connections", 32);
const chosen = args.indexOf("--servers");
const SERVER_NAMES = (chosen >= 0 ? args[chosen + 1]! : "app,node").split(",");
for (const name of SERVER_NAMES) if (!(name in SERVERS)) throw new Error(`no server ${name}`);

interface Running {
  child: ChildProcess;
  port: number;
  stderr: string[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a server program with `workers` workers and waits until all of them listen. */
async function startServer(file: string, workers: number): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", file], {
    cwd: ROOT,
    env: { ...process.env, WORKERS: String(workers), PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"], // the supervisor's lines are on stderr
  });
  const stderr: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${workers} listening in 60 s`)), 60_000);
    let listening = 0;
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr.push(chunk);
      listening += chunk.split("\n").filter((l) => l.includes(" listening on ")).length;
      if (listening >= workers) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${stderr.join("")}`)));
  });
  return { child, port, stderr };
}

async function stopServer(s: Running): Promise<void> {
  const exited = new Promise((resolve) => s.child.once("exit", resolve));
  s.child.kill("SIGTERM");
  await exited;
}

/** One GET: checks that the server answers the id it was asked for, from a worker. */
function check(port: number, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path: `/${id}`, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text += c));
      res.on("end", () => {
        const body = JSON.parse(text) as { id: string; pid: number };
        if (res.statusCode !== 200 || body.id !== id)
          reject(new Error(`bad answer ${res.statusCode} ${text}`));
        else resolve(body.pid);
      });
    })
      .on("error", reject)
      .end();
  });
}

/** Runs wrk; returns requests/s, after checking it saw no errors. */
async function wrk(port: number, seconds: number): Promise<number> {
  const { stdout } = await promisify(execFile)(WRK, [
    "-t1",
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    `http://127.0.0.1:${port}/42`,
  ]);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (rps === null) throw new Error(`wrk printed no Requests/sec:\n${stdout}`);
  if (/Non-2xx|Socket errors/.test(stdout)) throw new Error(`wrk saw errors:\n${stdout}`);
  return Number(rps[1]);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const before = loadavg();
  const key = (server: string, workers: number): string => `${server}:${workers}`;
  const results = new Map<string, number[]>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const name of SERVER_NAMES) {
      for (const workers of CONFIGS) {
        const server = await startServer(SERVERS[name]!.file, workers);
        try {
          await check(server.port, `id-${round}`);
          await wrk(server.port, 1); // warm-up: JIT, connections handed to the workers
          const rps = await wrk(server.port, DURATION);
          const k = key(name, workers);
          results.set(k, [...(results.get(k) ?? []), rps]);
          process.stderr.write(
            `round ${round}: ${name}, ${workers} worker(s): ${rps.toFixed(0)} req/s\n`,
          );
        } finally {
          await stopServer(server);
        }
      }
    }
  }
  const after = loadavg();
  console.log(
    `\nHTTP GET /{id}, wrk -t1 -c${CONNECTIONS} -d${DURATION}s (keep-alive), ` +
      `median of ${ROUNDS} alternating rounds`,
  );
  console.log(
    `cores: ${availableParallelism()}; load average before ${before.map((x) => x.toFixed(2)).join(" ")}, ` +
      `after ${after.map((x) => x.toFixed(2)).join(" ")}; wrk shares the cores\n`,
  );
  console.log("| server | workers | req/s (median) | rounds (req/s) | vs 1 worker |");
  console.log("| ------ | ------- | -------------- | -------------- | ----------- |");
  for (const name of SERVER_NAMES) {
    const one = median(results.get(key(name, 1))!);
    for (const workers of CONFIGS) {
      const rs = results.get(key(name, workers))!;
      const m = median(rs);
      console.log(
        `| ${name} | ${workers} | ${m.toFixed(0)} | ${rs.map((r) => r.toFixed(0)).join(", ")} | ${(m / one).toFixed(2)}× |`,
      );
    }
  }
  for (const name of SERVER_NAMES) console.log(`\n${name}: ${SERVERS[name]!.what}`);
}

await main();
