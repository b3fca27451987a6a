// The HTTP shapes (issue 10). Measurements, not tests: each checks its own answers.
//
// http-server: requests/s and server CPU µs per request for the same `/{id}` route on
//   spindle/http (wasm and ts cores), raw node:http (the route matched by hand: the floor)
//   and fastify. Each server is a process of its own (bench/http-server.js) pinned to core
//   0 with taskset; the load generator — wrk, or autocannon where wrk is missing — is pinned
//   to core 1, 50 keep-alive connections, for a bounded time. Rounds interleave the servers
//   (the order reversed every other round) and the medians are reported. The server's CPU
//   per request is its process.cpuUsage() across the run divided by the requests served.
// http-client: 10k GETs at concurrency 50 (50 workers, 200 sequential GETs each) against
//   one raw node:http server pinned to core 1: spindle's ClientSession against
//   undici.request (the baseline) and fetch, in this process. Every body is checked.
//
//   npm run bench -- --only=http         both shapes inside the suite
//   npx tsx bench/http.ts [--quick]      alone, printing the two tables
//
// Caveat: two cores are shared with whatever else runs; the figures move with that load.

import { spawn, execFileSync, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Agent, request } from "undici";
import { createTask, run } from "../dist/index.js";
import { ClientSession } from "../dist/http/index.js";
import { median } from "./harness.js";
import { label, type Mode, type ShapeSpec } from "./plan.js";
import type { ImplResult, ShapeResult } from "./report.js";

const SERVER_SCRIPT = fileURLToPath(new URL("./http-server.js", import.meta.url));
export const HTTP_SERVER_IMPLS = ["spindle-wasm", "spindle-ts", "node-http", "fastify"];
export const HTTP_CLIENT_IMPLS = ["spindle-wasm", "spindle-ts", "undici", "fetch"];

/** Sizes by mode (kept here: the other shapes' Sizes do not change). */
export function httpSizes(mode: Mode): {
  seconds: number;
  rounds: number;
  connections: number;
  clientRequests: number;
  concurrency: number;
} {
  if (mode === "quick")
    return { seconds: 1, rounds: 1, connections: 50, clientRequests: 1000, concurrency: 50 };
  if (mode === "full")
    return { seconds: 10, rounds: 5, connections: 50, clientRequests: 10_000, concurrency: 50 };
  return { seconds: 3, rounds: 3, connections: 50, clientRequests: 10_000, concurrency: 50 };
}

function has(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const TASKSET = has("taskset");
const WRK = has("wrk");
const pin = (core: number, argv: string[]): string[] =>
  TASKSET ? ["taskset", "-c", String(core), ...argv] : argv;

export function httpShapes(mode: Mode): ShapeSpec[] {
  const s = httpSizes(mode);
  const loader = WRK ? "wrk" : "autocannon";
  return [
    {
      id: "http-server",
      title: `11. http server: GET /{id} for ${s.seconds} s × ${s.rounds} rounds, ${s.connections} connections (${loader})`,
      group: "http",
      ops: 10_000,
      unit: "requests",
      baseline: "node-http",
      sizes: { seconds: s.seconds, rounds: s.rounds, connections: s.connections },
      uses: {
        "spindle-wasm": "web.Application + addGet('/{id}') + web.Response({ text }), wasm core",
        "spindle-ts": "the same on the TS core",
        "node-http": "http.createServer, the id sliced from req.url by hand",
        fastify: "fastify.get('/:id') returning the id",
      },
    },
    {
      id: "http-client",
      title: `12. http client: ${label(s.clientRequests)} GETs at concurrency ${s.concurrency}`,
      group: "http",
      ops: s.clientRequests,
      unit: "requests",
      baseline: "undici",
      sizes: { requests: s.clientRequests, concurrency: s.concurrency },
      uses: {
        "spindle-wasm": "ClientSession.get + text(), one task per worker, wasm core",
        "spindle-ts": "the same on the TS core",
        undici: "undici.request on an Agent + body.text()",
        fetch: "Node's fetch + text()",
      },
    },
  ];
}

/** A server process and the line protocol to it. */
class ServerProcess {
  private readonly lines: Interface;
  private readonly waiting: Array<(line: string) => void> = [];
  private constructor(readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on("line", (l) => this.waiting.shift()?.(l));
  }
  static async start(impl: string, core: number): Promise<{ proc: ServerProcess; port: number }> {
    const [cmd, ...args] = pin(core, [process.execPath, SERVER_SCRIPT, impl]);
    const child = spawn(cmd!, args, { stdio: ["pipe", "pipe", "inherit"] });
    const proc = new ServerProcess(child);
    const { port } = JSON.parse(await proc.next(20_000)) as { port: number };
    return { proc, port };
  }
  next(timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error("http bench: the server did not answer")),
        timeoutMs,
      );
      this.waiting.push((l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
  }
  async cpuMicros(): Promise<number> {
    this.child.stdin.write("cpu\n");
    const u = JSON.parse(await this.next()) as { user: number; system: number };
    return u.user + u.system;
  }
  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.stdin.end();
    this.child.kill("SIGTERM");
    await exited;
  }
}

/** One bounded load run: requests served and non-2xx/errors seen. */
async function load(
  url: string,
  seconds: number,
  connections: number,
): Promise<{ requests: number; bad: number }> {
  if (WRK) {
    const out = execFileSync(
      pin(1, ["wrk"])[0]!,
      [...pin(1, ["wrk"]).slice(1), "-t1", `-c${connections}`, `-d${seconds}s`, url],
      { encoding: "utf8", timeout: (seconds + 30) * 1000 },
    );
    const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const socketErrors = errs === null ? 0 : Number(errs[1]) + Number(errs[3]) + Number(errs[4]);
    return { requests, bad: non2xx + socketErrors };
  }
  const { default: autocannon } = (await import("autocannon" as string)) as {
    default: (
      o: object,
    ) => Promise<{ requests: { total: number }; non2xx: number; errors: number }>;
  };
  const r = await autocannon({ url, connections, duration: seconds });
  return { requests: r.requests.total, bad: r.non2xx + r.errors };
}

async function checkRoute(port: number): Promise<void> {
  const agent = new Agent();
  try {
    const res = await request(`http://127.0.0.1:${port}/12345`, { dispatcher: agent });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text !== "12345")
      throw new Error(`http bench: GET /12345 answered ${res.statusCode} ${JSON.stringify(text)}`);
  } finally {
    await agent.close();
  }
}

export async function runHttpServer(
  mode: Mode,
  onStep: (what: string) => void,
): Promise<ShapeResult> {
  const spec = httpShapes(mode)[0]!;
  const s = httpSizes(mode);
  const servers = new Map<string, { proc: ServerProcess; port: number }>();
  const samples = new Map<string, Array<{ rps: number; cpu: number; bad: number }>>();
  try {
    for (const impl of HTTP_SERVER_IMPLS) {
      const server = await ServerProcess.start(impl, 0);
      servers.set(impl, server);
      await checkRoute(server.port);
      samples.set(impl, []);
    }
    // Warm-up: the JIT compiles the hot paths before any CPU time is counted.
    for (const impl of HTTP_SERVER_IMPLS) {
      onStep(`http-server · ${impl} (warm-up)`);
      await load(`http://127.0.0.1:${servers.get(impl)!.port}/12345`, 1, s.connections);
    }
    for (let round = 0; round < s.rounds; round++) {
      const order = round % 2 === 0 ? HTTP_SERVER_IMPLS : [...HTTP_SERVER_IMPLS].reverse();
      for (const impl of order) {
        onStep(`http-server · ${impl} (round ${round + 1})`);
        const { proc, port } = servers.get(impl)!;
        const cpu0 = await proc.cpuMicros();
        const t0 = performance.now();
        const { requests, bad } = await load(
          `http://127.0.0.1:${port}/12345`,
          s.seconds,
          s.connections,
        );
        const elapsed = (performance.now() - t0) / 1000;
        const cpu = (await proc.cpuMicros()) - cpu0;
        samples
          .get(impl)!
          .push({ rps: requests / Math.min(elapsed, s.seconds), cpu: cpu / requests, bad });
      }
    }
  } finally {
    for (const { proc } of servers.values()) await proc.stop();
  }
  const results: ImplResult[] = HTTP_SERVER_IMPLS.map((impl) => {
    const xs = samples.get(impl)!;
    const rps = median(xs.map((x) => x.rps));
    const msPer = xs.map((x) => (spec.ops / x.rps) * 1000).sort((a, b) => a - b);
    const bad = xs.reduce((n, x) => n + x.bad, 0);
    return {
      impl,
      median: median(msPer),
      samples: msPer,
      opsPerSec: rps,
      setupMedianMs: 0,
      setupSamples: [],
      vs: null,
      check: bad,
      expect: 0,
      extra: {
        reqPerSec: Math.round(rps),
        cpuUsPerReq: Number(median(xs.map((x) => x.cpu)).toFixed(1)),
      },
    };
  });
  return {
    ...spec,
    kind: "throughput",
    metric: `ms per ${label(spec.ops)} requests (from requests/s), median of rounds; extra: server CPU µs/request`,
    results,
    wasmTs: [],
    findings: [],
    flagged: [],
    error: null,
  };
}

/** `workers` workers, each GETting sequentially until `total` requests were made. */
async function clientRun(
  impl: string,
  base: string,
  total: number,
  workers: number,
): Promise<number> {
  const per = total / workers;
  let ok = 0;
  if (impl === "spindle-wasm" || impl === "spindle-ts") {
    await run(
      function* () {
        const session = new ClientSession({ limit: workers });
        try {
          const tasks = Array.from({ length: workers }, (_, w) =>
            createTask(function* () {
              for (let i = 0; i < per; i++) {
                const res = yield* session.get(`${base}/${w}`);
                if ((yield* res.text()) === String(w)) ok++;
              }
            }),
          );
          for (const t of tasks) yield* t;
        } finally {
          yield* session.close();
        }
      },
      { core: impl === "spindle-wasm" ? "wasm" : "ts" },
    );
  } else if (impl === "undici") {
    const agent = new Agent({ connections: workers });
    try {
      await Promise.all(
        Array.from({ length: workers }, async (_, w) => {
          for (let i = 0; i < per; i++) {
            const res = await request(`${base}/${w}`, { dispatcher: agent });
            if ((await res.body.text()) === String(w)) ok++;
          }
        }),
      );
    } finally {
      await agent.close();
    }
  } else {
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = 0; i < per; i++) {
          const res = await fetch(`${base}/${w}`);
          if ((await res.text()) === String(w)) ok++;
        }
      }),
    );
  }
  return ok;
}

export async function runHttpClient(
  mode: Mode,
  onStep: (what: string) => void,
): Promise<ShapeResult> {
  const spec = httpShapes(mode)[1]!;
  const s = httpSizes(mode);
  const server = await ServerProcess.start("node-http", 1);
  const base = `http://127.0.0.1:${server.port}`;
  const times = new Map<string, number[]>(HTTP_CLIENT_IMPLS.map((i) => [i, []]));
  const checks = new Map<string, number>();
  try {
    for (const impl of HTTP_CLIENT_IMPLS)
      await clientRun(impl, base, s.concurrency * 4, s.concurrency); // warm-up
    for (let round = 0; round < s.rounds; round++) {
      const order = round % 2 === 0 ? HTTP_CLIENT_IMPLS : [...HTTP_CLIENT_IMPLS].reverse();
      for (const impl of order) {
        onStep(`http-client · ${impl} (round ${round + 1})`);
        const t0 = performance.now();
        const ok = await clientRun(impl, base, s.clientRequests, s.concurrency);
        times.get(impl)!.push(performance.now() - t0);
        checks.set(impl, Math.min(checks.get(impl) ?? ok, ok));
      }
    }
  } finally {
    await server.proc.stop();
  }
  const results: ImplResult[] = HTTP_CLIENT_IMPLS.map((impl) => {
    const xs = [...times.get(impl)!].sort((a, b) => a - b);
    const m = median(xs);
    return {
      impl,
      median: m,
      samples: xs,
      opsPerSec: (s.clientRequests / m) * 1000,
      setupMedianMs: 0,
      setupSamples: [],
      vs: null,
      check: checks.get(impl)!,
      expect: s.clientRequests,
      extra: {},
    };
  });
  return {
    ...spec,
    kind: "throughput",
    metric: `ms per ${label(s.clientRequests)} GETs, median of rounds`,
    results,
    wasmTs: [],
    findings: [],
    flagged: [],
    error: null,
  };
}

/** Standalone: `npx tsx bench/http.ts [--quick|--full]`. */
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mode: Mode = process.argv.includes("--quick")
    ? "quick"
    : process.argv.includes("--full")
      ? "full"
      : "default";
  const step = (w: string): void => void process.stderr.write(`${w}\n`);
  for (const shape of [await runHttpServer(mode, step), await runHttpClient(mode, step)]) {
    const base = shape.results.find((r) => r.impl === shape.baseline)!;
    console.log(`\n${shape.title}`);
    for (const r of shape.results) {
      const extra = Object.entries(r.extra)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(" ");
      console.log(
        `  ${r.impl.padEnd(13)} ${Math.round(r.opsPerSec ?? 0)
          .toString()
          .padStart(
            7,
          )} req/s  ${(base.median / r.median).toFixed(2)}× ${shape.baseline}  ${extra}  check ${String(r.check)}/${String(r.expect)}`,
      );
    }
  }
}
