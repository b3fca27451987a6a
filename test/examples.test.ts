// The examples print exactly what their comments say: each runs on the virtual clock (the
// tutorial's 3 s sleeps take a few ms) with a log that captures its lines, and the whole
// trace is compared — the order of the lines is the interleaving of the tasks.

import { isMainThread, threadId } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { referenceTrace } from "./reference/trace.js";
import { main as asyncAwait } from "../examples/async-await.js";
import { main as executor } from "../examples/executor.js";
import { main as greenletExample } from "../examples/greenlet.js";
// gevent examples
import { main as geventEatPlay } from "../examples/gevent-eat-play.js";
import { main as geventFetch } from "../examples/gevent-fetch.js";
import { main as geventSocketServer } from "../examples/gevent-socket-server.js";
import { readdirSync } from "node:fs";
import { main as producerConsumer } from "../examples/producer-consumer.js";
import { main as roundRobin } from "../examples/round-robin.js";
import { main as sleepShowthread } from "../examples/sleep-showthread.js";
// streams
import { spawn } from "node:child_process";
import { once } from "node:events";
import { main as echoClients } from "../examples/echo-clients.js";
import { main as subprocessExample } from "../examples/subprocess.js";

type Main = (options: {
  clock?: "real" | "virtual";
  log?: (line: string) => void;
}) => Promise<void>;

async function trace(main: Main): Promise<string[]> {
  const lines: string[] = [];
  await main({ clock: "virtual", log: (line) => lines.push(line) });
  return lines;
}

// What the examples print for the thread they run on (vitest's forks pool: a main thread).
const THREAD = `threads: [${isMainThread ? "main thread" : "worker thread"}, threadId ${threadId}]`;

describe("examples", () => {
  it("round-robin: a and b take turns, by hand and as two spindle tasks", async () => {
    const turns = ["a.x 0", "b.x 0", "a.x 1", "b.x 1", "a.x 2", "b.x 2"];
    expect(await trace(roundRobin)).toEqual(["by hand:", ...turns, "on spindle:", ...turns]);
  });

  it("producer-consumer: items go through send() by hand and through a Queue on spindle", async () => {
    expect(await trace(producerConsumer)).toEqual([
      "by hand:",
      "produce 0",
      "consume 0",
      "produce 1",
      "consume 1",
      "produce 2",
      "consume 2",
      "produce 3",
      "consume 3",
      "produce 4",
      "consume 4",
      "on spindle:",
      // maxsize 2: the producer runs ahead until the queue is full and its put() parks;
      // the same order as asyncio (test/reference/asyncio/producer_consumer.txt).
      ...referenceTrace("asyncio", "producer_consumer"),
    ]);
  });

  it("sleep-showthread: both coroutines overlap on one thread and finish in 9 s", async () => {
    expect(await trace(sleepShowthread)).toEqual([
      "[0.0 s] sleep 0",
      `[0.0 s] ${THREAD} tasks: [<Task sleep sleeping until 3000>, <Task showthread running>, <Task main ready>]`,
      `[2.0 s] ${THREAD} tasks: [<Task sleep sleeping until 3000>, <Task showthread running>, <Task main waiting on wait>]`,
      "[3.0 s] sleep 1",
      `[4.0 s] ${THREAD} tasks: [<Task sleep sleeping until 6000>, <Task showthread running>, <Task main waiting on wait>]`,
      "[6.0 s] sleep 2",
      "[9.0 s] done",
    ]);
  });

  it("async-await: the same program with async functions as tasks, also in 9 s", async () => {
    const tasks = (showthread: string, sleeps: string) =>
      `${THREAD} tasks: [<Task main waiting on a Promise>, <Task sleep waiting on a Promise>, ` +
      `<Task showthread ${showthread}>, <Task sleep's sleep ${sleeps}>]`;
    expect(await trace(asyncAwait)).toEqual([
      "[0.0 s] sleep 0",
      `[0.0 s] ${tasks("running", "ready")}`,
      `[2.0 s] ${tasks("waiting on a Promise", "sleeping until 3000")}`,
      "[3.0 s] sleep 1",
      `[4.0 s] ${tasks("waiting on a Promise", "sleeping until 6000")}`,
      "[6.0 s] sleep 2",
      "[9.0 s] done",
    ]);
  });

  it("executor: a CPU-bound count stops the ticker on the loop, not on a worker thread", async () => {
    expect(await trace(executor)).toEqual([
      "on the loop:   41538 primes below 500000; the ticker ticked 0 times meanwhile",
      expect.stringMatching(
        /^on a thread: {3}41538 primes below 500000; the ticker kept ticking \(\d+ ticks\)$/,
      ),
    ]);
  });

  it("greenlet: eat and play_phone switch to each other, as real greenlet prints it", async () => {
    // Not the tutorial's printed output: its "egon啦啦啦 play" lines are a slip (see the
    // example's header and test/reference/greenlet/eat_play.txt).
    expect(await trace(greenletExample)).toEqual([
      "egon啦啦啦 eat food 1",
      "alex飞飞飞 play 1",
      "egon啦啦啦 eat food 2",
      "alex飞飞飞 play 2",
    ]);
  });

  // ── gevent examples ──
  it("gevent-eat-play: the two greenlets' sleeps overlap: 600 ms, not 1100", async () => {
    expect(await trace(geventEatPlay)).toEqual([
      ...referenceTrace("gevent", "eat_play"),
      "took 600 ms, not 1100",
    ]);
  });

  it("gevent-fetch: three local pages fetched at once take about the slowest, not the sum", async () => {
    const lines: string[] = [];
    const ms = await geventFetch({ log: (line) => lines.push(line) });
    expect(lines.slice(0, 3).map((l) => l.replace(/:\d+\//, ":PORT/"))).toEqual([
      "GET page: http://127.0.0.1:PORT/baidu",
      "GET page: http://127.0.0.1:PORT/yahoo",
      "GET page: http://127.0.0.1:PORT/github",
    ]);
    expect(lines.slice(3, 6)).toEqual([
      "yahoo's page, after 200 ms",
      "github's page, after 400 ms",
      "baidu's page, after 600 ms",
    ]);
    expect(lines[6]).toMatch(/^run time is \d\.\d s \(the pages took 1\.2 s in all\)$/);
    // The slowest page takes 600 ms; the three one after another would take 1200.
    expect(ms).toBeGreaterThanOrEqual(590);
    expect(ms).toBeLessThan(1150);
  });

  it("gevent-socket-server: 500 clients, each reply upper-cased, every socket closed", async () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const before = fds();
    const lines: string[] = [];
    const good = await geventSocketServer({ port: 0, log: (line) => lines.push(line) });
    expect(good).toBe(1500);
    expect(lines.filter((l) => / msg: Thread-\d+ say hello \d \.$/.test(l))).toHaveLength(1500);
    expect(lines.filter((l) => /^THREAD-\d+ SAY HELLO \d$/.test(l))).toHaveLength(1500);
    expect(lines.at(-1)).toBe("500 clients × 3 messages, every reply upper-cased");
    for (let i = 0; i < 100 && fds() > before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fds()).toBeLessThanOrEqual(before);
  });
});

// streams: the echo server runs in its own process (as the tutorial's did), on a free port;
// 500 client coroutines in this process talk to it.
describe("streams examples", () => {
  it("echo-server and echo-clients: 500 clients, each answer names its peer and message", async () => {
    const server = spawn(process.execPath, ["--import", "tsx", "examples/echo-server.ts"], {
      env: { ...process.env, PORT: "0" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const [first] = (await once(server.stdout!, "data")) as [Buffer];
      const port = Number(/serving on 127\.0\.0\.1:(\d+)/.exec(first.toString())![1]);
      const lines: string[] = [];
      await echoClients({ port, clients: 500, rounds: 2, log: (l) => lines.push(l) });
      expect(lines.pop()).toBe("1000 answers from 500 clients");
      const seen = new Set<string>();
      for (const line of lines) {
        const m = /^\('127\.0\.0\.1', \d+\) Your msg (Thread-\d+ say hello \d)$/.exec(line);
        expect(m, line).not.toBeNull();
        seen.add(m![1]!);
      }
      const expected = Array.from({ length: 500 }, (_, i) =>
        [0, 1].map((c) => `Thread-${i + 1} say hello ${c}`),
      ).flat();
      expect([...seen].sort()).toEqual(expected.sort());
    } finally {
      server.kill("SIGTERM");
      if (server.exitCode === null) await once(server, "exit");
    }
  });

  it("subprocess: exec, shell with communicate, a killed sleeper, all reaped", async () => {
    expect(await trace(subprocessExample)).toEqual([
      "exec: hello from a child (returncode 0)",
      'shell: 3 lines, stderr "warning" (returncode 2)',
      "sleep 30: killed by a timeout (returncode -9)",
      "3 children, all reaped",
    ]);
  });
});
