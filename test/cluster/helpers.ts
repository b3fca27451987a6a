// Runs test/cluster/fixtures/supervised.ts as a real primary process (its workers are real
// processes too) and follows it through the JSON lines it prints. Every pid it ever saw is
// checked at the end: none may outlive the test.

import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** A fixture program of test/cluster/fixtures/, by file name. */
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A line the fixture printed (a supervisor event, or a worker's own record). */
export interface Line {
  type: string;
  at: number;
  pid: number;
  slot?: number;
  id?: number;
  code?: number | null;
  signal?: string | null;
  expected?: boolean;
  delay?: number;
  streak?: number;
  address?: string;
  alive?: number[];
  name?: string;
  message?: string;
  line?: string;
  path?: string;
  workers?: Array<{
    id: number;
    pid: number;
    slot: number;
    state: string;
    address: string | null;
    streak: number;
    uptime: number;
  }>;
  listening?: boolean;
}

export class Cluster {
  readonly lines: Line[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private readonly child: ChildProcess;
  /** Settles at the next line or exit, then is replaced. */
  private changed!: Promise<void>;
  private notify!: () => void;

  /** `program` runs in a process group of its own (for a terminal's Ctrl-C: signalGroup). */
  constructor(env: Record<string, string>, program = fixture("supervised.ts")) {
    this.armChange();
    this.child = spawn(process.execPath, ["--import", "tsx", program], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let buffered = "";
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const part of parts) if (part.trim() !== "") this.lines.push(JSON.parse(part) as Line);
      this.fireChange();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => {
        resolve({ code, signal });
        this.fireChange();
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Every pid the test has seen: the primary and every worker it forked. */
  pids(): number[] {
    return [this.pid, ...this.lines.filter((l) => l.type === "fork").map((l) => l.pid)];
  }

  /** The first line (from the `from`th on) that matches, waiting up to `ms` for it. */
  async waitFor(match: (line: Line) => boolean, ms = 30_000, from = 0): Promise<Line> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.lines.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`the primary exited before the line came\n${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a line\n${this.describe()}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.changed, new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
  }

  private armChange(): void {
    this.changed = new Promise((resolve) => (this.notify = resolve));
  }

  private fireChange(): void {
    const notify = this.notify;
    this.armChange();
    notify();
  }

  /** Waits until `n` workers listen; returns the port they share. */
  async listening(n: number): Promise<number> {
    for (;;) {
      const listening = this.lines.filter((l) => l.type === "listening");
      const live = listening.filter((l) => this.alive(l.pid));
      if (live.length >= n) return Number(live[0]!.address!.split(":").pop());
      await this.waitFor((l) => l.type === "listening", 30_000, this.lines.length);
    }
  }

  /** Whether the primary still counts `pid` as a live worker (no exit line for it). */
  alive(pid: number): boolean {
    return !this.lines.some((l) => l.type === "exit" && l.pid === pid);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Signals every process of the primary's group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void {
    process.kill(-this.pid, signal);
  }

  describe(): string {
    return `stdout:\n${this.lines.map((l) => JSON.stringify(l)).join("\n")}\nstderr:\n${this.stderr}`;
  }

  /**
   * Ends the test's processes: SIGTERM to the primary if it still runs (SIGKILL to every
   * pid after 15 s), and returns the pids that were still alive afterwards (expected: none).
   */
  async dispose(): Promise<number[]> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.pids().forEach(killQuietly), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
    // The primary reaped its workers before exiting; give the kernel a moment anyway.
    const deadline = Date.now() + 2000;
    let left = this.pids().filter(isAlive);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      left = left.filter(isAlive);
    }
    left.forEach(killQuietly);
    return left;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** One GET on a fresh connection (no keep-alive: each request is a new connection). */
export function get(
  port: number,
  path: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: { id: string; pid: number; core?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(text) as { id: string; pid: number; core?: string },
            });
          } catch (e) {
            reject(e as Error);
          }
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** Sends `line` on a fresh TCP connection and resolves with the first line answered. */
export function exchange(port: number, line: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let text = "";
    socket.setEncoding("utf8");
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error("exchange timed out")));
    socket.on("data", (chunk: string) => {
      text += chunk;
      const end = text.indexOf("\n");
      if (end >= 0) {
        socket.end();
        resolve(text.slice(0, end));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`closed after ${JSON.stringify(text)}`)));
    socket.write(line + "\n");
  });
}
