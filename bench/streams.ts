// Streams shapes: the tutorial's echo server with 500 closed-loop clients, on real sockets,
// every side in its own process (bench/streams-child.ts).
//
//   echo-server       the server varies (raw node:net vs spindle's startServer on each
//                     core); the clients are the same 500 raw net clients in another
//                     process. Messages per second.
//   echo-server-cpu   the same runs: the server's CPU time (user + system) per message.
//   echo-clients      the clients vary (500 raw net clients vs 500 spindle client coroutines
//                     on each core); the server is the same raw net server. Messages/s.
//   echo-clients-cpu  the same runs: the client process's CPU time per message.
//
// HOW. Each client sends "Thread-N say hello COUNT", waits for the exact echo, checks it
// and sends the next (closed loop). The servers of a shape start once and stay up; each
// round runs one client process per implementation, the order reversed every other round
// (interleaved, so a burst of load from elsewhere lands on all of them); after a warm-up,
// the client process counts round trips over a fixed window and the parent reads the
// server's CPU usage at the window's start and end. Server and clients are pinned to
// different cores with taskset where it exists (2+ cores). Medians over the rounds.
// Checks: every echo matched what was sent (0 bad), and messages flowed.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { median } from "./harness.js";
import type { Mode, ShapeSpec } from "./plan.js";
import type { ImplResult, ShapeResult } from "./report.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHILD = fileURLToPath(new URL("./streams-child.ts", import.meta.url));
export const STREAMS_IMPLS = ["net", "spindle-wasm", "spindle-ts"];

/** Clients, warm-up and window (ms), and rounds, per mode. */
export function streamsSizes(mode: Mode): {
  clients: number;
  warmMs: number;
  ms: number;
  rounds: number;
} {
  switch (mode) {
    case "quick":
      return { clients: 50, warmMs: 200, ms: 300, rounds: 1 };
    case "default":
      return { clients: 500, warmMs: 500, ms: 1500, rounds: 3 };
    case "full":
      return { clients: 500, warmMs: 1000, ms: 3000, rounds: 5 };
  }
}

export function streamsShapes(mode: Mode): ShapeSpec[] {
  const z = streamsSizes(mode);
  const sizes = { clients: z.clients, windowMs: z.ms, rounds: z.rounds };
  const server = {
    net: "node:net server, socket.on('data', d => socket.write(d)); 500 raw net clients",
    "spindle-wasm": "startServer, handler: read(1024), write, drain (wasm core); same clients",
    "spindle-ts": "startServer, handler: read(1024), write, drain (ts core); same clients",
  };
  const clients = {
    net: "500 raw net clients (callbacks); raw net echo server",
    "spindle-wasm": "500 coroutines: openConnection, write, drain, readexactly (wasm core)",
    "spindle-ts": "500 coroutines: openConnection, write, drain, readexactly (ts core)",
  };
  const spec = (id: string, title: string, unit: string, uses: Record<string, string>) => ({
    id,
    title,
    group: "streams" as const,
    ops: 1,
    unit,
    baseline: "net",
    uses,
    sizes,
  });
  return [
    spec("echo-server", "11. echo server: 500 closed-loop clients, msgs/s", "msgs", server),
    spec("echo-server-cpu", "11b. echo server: server CPU per message", "msgs", server),
    spec(
      "echo-clients",
      "12. echo clients: 500 client coroutines vs raw net clients",
      "msgs",
      clients,
    ),
    spec("echo-clients-cpu", "12b. echo clients: client CPU per message", "msgs", clients),
  ];
}

const PIN = (() => {
  if (availableParallelism() < 2) return null;
  return spawnSync("taskset", ["-c", "0", "true"]).status === 0 ? "taskset" : null;
})();

function child(args: string[], cpu: number): ChildProcess {
  const node = [process.execPath, "--import", "tsx", CHILD, ...args];
  const [cmd, ...rest] = PIN === null ? node : ["taskset", "-c", String(cpu), ...node];
  return spawn(cmd!, rest, { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
}

/** Lines of JSON a child prints, one at a time. */
function lines(c: ChildProcess): () => Promise<Record<string, number | string>> {
  const queue: Array<Record<string, number | string>> = [];
  const waiting: Array<(v: Record<string, number | string>) => void> = [];
  let failed: Error | null = null;
  const rl = createInterface({ input: c.stdout! });
  rl.on("line", (l) => {
    const v = JSON.parse(l) as Record<string, number | string>;
    const w = waiting.shift();
    if (w !== undefined) w(v);
    else queue.push(v);
  });
  c.on("exit", (code) => {
    if (code !== 0) failed = new Error(`streams child exited with ${code}`);
    for (const w of waiting.splice(0)) w({ error: String(failed?.message ?? "exited") });
  });
  return () => {
    const v = queue.shift();
    if (v !== undefined) return Promise.resolve(v);
    if (failed !== null) return Promise.reject(failed);
    return new Promise((resolve) => waiting.push(resolve));
  };
}

interface EchoServer {
  port: number;
  cpuUs(): Promise<number>;
  stop(): Promise<void>;
}

async function startEchoServer(impl: string): Promise<EchoServer> {
  const c = child(["server", impl], 0);
  const next = lines(c);
  const first = await next();
  if (typeof first.port !== "number")
    throw new Error(`echo server ${impl}: ${JSON.stringify(first)}`);
  return {
    port: first.port,
    async cpuUs() {
      c.stdin!.write("cpu\n");
      const v = await next();
      return v.cpuUs as number;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        c.once("exit", () => resolve());
        c.stdin!.end();
      }),
  };
}

interface Sample {
  msPerMsg: number;
  serverCpuMsPerMsg: number;
  clientCpuMsPerMsg: number;
  bad: number;
}

async function runClients(impl: string, server: EchoServer, mode: Mode): Promise<Sample> {
  const z = streamsSizes(mode);
  const c = child(
    ["clients", impl, String(server.port), String(z.clients), String(z.warmMs), String(z.ms)],
    1,
  );
  const next = lines(c);
  const start = await next();
  if (start.phase !== "start") throw new Error(`${impl} clients: ${JSON.stringify(start)}`);
  const cpu0 = await server.cpuUs();
  const stop = await next();
  if (stop.phase !== "stop") throw new Error(`${impl} clients: ${JSON.stringify(stop)}`);
  const cpu1 = await server.cpuUs();
  const end = await next();
  const msgs = end.msgs as number;
  if (!(msgs > 0)) throw new Error(`${impl} clients: no message went through`);
  return {
    msPerMsg: (end.ms as number) / msgs,
    serverCpuMsPerMsg: (cpu1 - cpu0) / 1000 / msgs,
    clientCpuMsPerMsg: (end.cpuUs as number) / 1000 / msgs,
    bad: end.bad as number,
  };
}

function result(impl: string, samples: number[], bad: number, throughput: boolean): ImplResult {
  const m = median(samples);
  return {
    impl,
    median: m,
    samples: [...samples].sort((a, b) => a - b),
    opsPerSec: throughput ? 1000 / m : null,
    setupMedianMs: 0,
    setupSamples: [],
    vs: null,
    check: { bad },
    expect: { bad: 0 },
    extra: {},
  };
}

function shape(spec: ShapeSpec, metric: string, results: ImplResult[]): ShapeResult {
  const bad = results.find((r) => (r.check as { bad: number }).bad !== 0);
  return {
    ...spec,
    kind: "throughput",
    metric,
    results,
    wasmTs: [],
    findings: [],
    flagged: [],
    error:
      bad === undefined
        ? null
        : `${bad.impl}: ${(bad.check as { bad: number }).bad} echoes did not match`,
  };
}

/** Runs `rounds` interleaved rounds of `impls`; `measure(impl)` is one sample. */
async function interleaved(
  impls: string[],
  rounds: number,
  measure: (impl: string) => Promise<Sample>,
): Promise<Map<string, Sample[]>> {
  const out = new Map<string, Sample[]>(impls.map((i) => [i, []]));
  for (let r = 0; r < rounds; r++) {
    for (const impl of r % 2 === 0 ? impls : [...impls].reverse())
      out.get(impl)!.push(await measure(impl));
  }
  return out;
}

/**
 * Measures the selected streams shapes (`specs`, from streamsShapes) and returns their
 * results; `onStep` is called before each client process.
 */
export async function runStreams(
  mode: Mode,
  specs: ShapeSpec[],
  onStep: (what: string) => void,
): Promise<ShapeResult[]> {
  const z = streamsSizes(mode);
  const want = new Set(specs.map((s) => s.id));
  const all = streamsShapes(mode);
  const get = (id: string) => all.find((s) => s.id === id)!;
  const shapes: ShapeResult[] = [];
  const bads = (ss: Sample[]) => ss.reduce((n, s) => n + s.bad, 0);

  if (want.has("echo-server") || want.has("echo-server-cpu")) {
    const servers = new Map<string, EchoServer>();
    try {
      for (const impl of STREAMS_IMPLS) servers.set(impl, await startEchoServer(impl));
      const runs = await interleaved(STREAMS_IMPLS, z.rounds, (impl) => {
        onStep(`echo-server · ${impl}`);
        return runClients("net", servers.get(impl)!, mode);
      });
      const pick = (f: (s: Sample) => number, tp: boolean) =>
        STREAMS_IMPLS.map((i) => result(i, runs.get(i)!.map(f), bads(runs.get(i)!), tp));
      if (want.has("echo-server"))
        shapes.push(
          shape(
            get("echo-server"),
            "ms per message (wall), median over rounds",
            pick((s) => s.msPerMsg, true),
          ),
        );
      if (want.has("echo-server-cpu"))
        shapes.push(
          shape(
            get("echo-server-cpu"),
            "server CPU ms per message, median over rounds",
            pick((s) => s.serverCpuMsPerMsg, false),
          ),
        );
    } finally {
      for (const s of servers.values()) await s.stop();
    }
  }

  if (want.has("echo-clients") || want.has("echo-clients-cpu")) {
    const server = await startEchoServer("net");
    try {
      const runs = await interleaved(STREAMS_IMPLS, z.rounds, (impl) => {
        onStep(`echo-clients · ${impl}`);
        return runClients(impl, server, mode);
      });
      const pick = (f: (s: Sample) => number, tp: boolean) =>
        STREAMS_IMPLS.map((i) => result(i, runs.get(i)!.map(f), bads(runs.get(i)!), tp));
      if (want.has("echo-clients"))
        shapes.push(
          shape(
            get("echo-clients"),
            "ms per message (wall), median over rounds",
            pick((s) => s.msPerMsg, true),
          ),
        );
      if (want.has("echo-clients-cpu"))
        shapes.push(
          shape(
            get("echo-clients-cpu"),
            "client CPU ms per message, median over rounds",
            pick((s) => s.clientCpuMsPerMsg, false),
          ),
        );
    } finally {
      await server.stop();
    }
  }
  return shapes;
}

/** Client processes a run of `specs` starts (for the progress count). */
export function streamsSteps(mode: Mode, specs: ShapeSpec[]): number {
  const z = streamsSizes(mode);
  const ids = new Set(specs.map((s) => s.id));
  let n = 0;
  if (ids.has("echo-server") || ids.has("echo-server-cpu")) n += STREAMS_IMPLS.length * z.rounds;
  if (ids.has("echo-clients") || ids.has("echo-clients-cpu")) n += STREAMS_IMPLS.length * z.rounds;
  return n;
}
