// HTTP requests per second of a `/{id}` route served by 1 and by 2 worker processes
// (superviseWorkers on node:cluster), loaded by wrk. Not a shape of `npm run bench`: one
// measurement is seconds of wrk per configuration plus process start-up, and wrk is an
// outside binary (/usr/bin/wrk), so it runs on its own:
//
//   npm run -s build && npx tsx bench/cluster-http.ts [--rounds 3] [--duration 3] [--connections 32]
//
// What it runs: examples/cluster.ts (node:http driven from a spindle task per request,
// each worker its own loop) with WORKERS=1 and WORKERS=2, in alternating rounds so both see
// the same machine; each round warms up for 1 s, then `wrk -t1 -c<connections> -d<duration>`
// measures. wrk keeps its connections open (keep-alive), so this measures requests, not
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
const SERVER = fileURLToPath(new URL("../examples/cluster.ts", import.meta.url));
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

/** Starts examples/cluster.ts with `workers` workers and waits until all of them listen. */
async function startServer(workers: number): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", SERVER], {
    cwd: ROOT,
    env: { ...process.env, WORKERS: String(workers), PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
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
  const results = new Map<number, number[]>(CONFIGS.map((n) => [n, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const workers of CONFIGS) {
      const server = await startServer(workers);
      try {
        await check(server.port, `id-${round}`);
        await wrk(server.port, 1); // warm-up: JIT, connections handed to the workers
        const rps = await wrk(server.port, DURATION);
        results.get(workers)!.push(rps);
        process.stderr.write(`round ${round}: ${workers} worker(s): ${rps.toFixed(0)} req/s\n`);
      } finally {
        await stopServer(server);
      }
    }
  }
  const after = loadavg();
  const one = median(results.get(1)!);
  console.log(
    `\nHTTP GET /{id}: examples/cluster.ts (node:http, a spindle task per request), ` +
      `wrk -t1 -c${CONNECTIONS} -d${DURATION}s, median of ${ROUNDS} alternating rounds`,
  );
  console.log(
    `cores: ${availableParallelism()}; load average before ${before.map((x) => x.toFixed(2)).join(" ")}, ` +
      `after ${after.map((x) => x.toFixed(2)).join(" ")}; wrk shares the cores\n`,
  );
  console.log("| workers | req/s (median) | rounds (req/s)           | vs 1 worker |");
  console.log("| ------- | -------------- | ------------------------ | ----------- |");
  for (const workers of CONFIGS) {
    const rs = results.get(workers)!;
    const m = median(rs);
    console.log(
      `| ${workers}       | ${m.toFixed(0).padStart(14)} | ${rs
        .map((r) => r.toFixed(0))
        .join(", ")
        .padEnd(24)} | ${(m / one).toFixed(2)}×       |`,
    );
  }
}

await main();
