// The primary's side of superviseWorkers: fork n workers with node:cluster, replace the
// ones that die (with the back-off of restart-policy.ts), shut them all down gracefully on
// SIGTERM/SIGINT, and say at every change which workers are alive.
//
//              fork(slot) ◀───────── timer (back-off delay) ◀──────────┐
//                  │                                                   │ restart
//   starting ─online─▶ online ─listening─▶ listening ──dies──▶ policy.onDeath(slot, uptime)
//                  │                                                   │ give-up: slot closed;
//                  └─────── shutdown(): SIGTERM ─▶ stopping            ▼ none left: closed rejects
//                                │ exit ─▶ gone; all gone ─▶ closed resolves
//                                └ shutdownTimeout passes ─▶ SIGKILL
//
// The port is shared the node:cluster way: a worker's `server.listen(port)` asks the primary,
// which owns the listening socket and (on Linux, SCHED_RR, Node's default) accepts each
// connection and hands it to the workers in turn. A dead worker simply stops getting new
// connections, so the survivors serve everything while its replacement starts.
//
// Invariants: `live` holds exactly the workers whose 'exit' has not been seen; a slot has at
// most one live worker or one pending restart timer, never both; once `stopping`, nothing
// is forked again.

import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { WorkersGaveUpError } from "./errors.js";
import { RestartPolicy, type BackoffOptions } from "./restart-policy.js";
import type {
  Supervisor,
  SupervisorEvent,
  SupervisorReport,
  WorkerState,
  WorkerStatus,
} from "./supervisor-types.js";
import { SLOT_ENV, type WorkerStart } from "./worker.js";

/**
 * Default grace period (ms) a worker gets, after SIGTERM, to finish its in-flight work
 * before the primary sends SIGKILL. Under Kubernetes' default 30 s termination grace, so
 * the primary's own deadline comes first and its report is printed.
 */
export const SHUTDOWN_TIMEOUT = 10_000;

/** Options of superviseWorkers. Only `start` is required. */
export interface SuperviseOptions {
  /** How many worker processes: a number ≥ 1, or `"auto"` for one per core (default). */
  workers?: number | "auto";
  /** What each worker runs (see WorkerStart); called in the workers, never in the primary. */
  start: WorkerStart;
  /** The restart back-off (see BackoffOptions for the defaults). */
  backoff?: BackoffOptions;
  /** ms a worker gets after SIGTERM before SIGKILL (default SHUTDOWN_TIMEOUT, 10 s). */
  shutdownTimeout?: number;
  /**
   * Shut down on SIGTERM and SIGINT in the primary (default true). A second SIGINT (Ctrl-C
   * again) SIGKILLs the workers at once; a repeated SIGTERM changes nothing.
   */
  handleSignals?: boolean;
  /**
   * Where the primary's log lines go: `true` (default) writes them to stderr, `false`
   * drops them, a function receives each one.
   */
  log?: boolean | ((line: string) => void);
  /** Called with every event, after its log line. */
  onEvent?: (event: SupervisorEvent) => void;
  /** Extra environment variables for the workers. */
  env?: Record<string, string>;
}

/**
 * The supervisor's options that a server started with `workers` takes beside it
 * (`startServer(…, { workers, cluster })`, `web.runApp(app, { workers, cluster })`).
 */
export type ClusterOptions = Omit<SuperviseOptions, "workers" | "start">;

interface Live {
  readonly worker: Worker;
  readonly slot: number;
  readonly pid: number;
  readonly forkedAt: number;
  state: WorkerState;
  address: string | null;
  killed: boolean;
}

/** The supervisor of the primary process. */
export class PrimarySupervisor implements Supervisor {
  readonly role = "primary" as const;
  readonly closed: Promise<SupervisorReport>;
  readonly size: number;
  private readonly policy: RestartPolicy;
  private readonly timeout: number;
  private readonly live = new Map<number, Live>();
  private readonly pending = new Map<number, NodeJS.Timeout>();
  private readonly givenUp = new Set<number>();
  private readonly report: SupervisorReport = { forks: 0, deaths: 0, killed: 0 };
  private readonly write: ((line: string) => void) | null;
  private stopping = false;
  private killTimer: NodeJS.Timeout | null = null;
  private lastExit = { code: null as number | null, signal: null as string | null };
  private resolve!: (report: SupervisorReport) => void;
  private reject!: (error: Error) => void;
  private readonly unhookSignals: () => void;

  constructor(private readonly options: SuperviseOptions) {
    // node:cluster forks `node <the main script>`: without one (node -e, a REPL) a worker
    // would start a REPL, not the app. (cluster.setupPrimary({ exec }) names another one.)
    if (cluster.settings.exec === undefined && process.argv[1] === undefined)
      throw new TypeError("spindle: superviseWorkers needs a main script for node:cluster to fork");
    this.size = workerCount(options.workers ?? "auto");
    this.policy = new RestartPolicy(options.backoff);
    this.timeout = options.shutdownTimeout ?? SHUTDOWN_TIMEOUT;
    if (!(Number.isFinite(this.timeout) && this.timeout >= 0))
      throw new RangeError(`spindle: shutdownTimeout must be a finite number ≥ 0`);
    const log = options.log ?? true;
    this.write =
      log === false ? null : log === true ? (line) => void process.stderr.write(line + "\n") : log;
    this.closed = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.unhookSignals = options.handleSignals === false ? () => {} : this.hookSignals();
    this.write?.(
      `spindle cluster: primary ${process.pid} starting ${this.size} worker` +
        (this.size === 1 ? "" : "s"),
    );
    for (let slot = 0; slot < this.size; slot++) this.fork(slot);
  }

  workers(): WorkerStatus[] {
    const now = Date.now();
    return [...this.live.values()]
      .sort((a, b) => a.slot - b.slot)
      .map((w) => ({
        id: w.worker.id,
        pid: w.pid,
        slot: w.slot,
        state: w.state,
        uptime: now - w.forkedAt,
        streak: this.policy.streak(w.slot),
        address: w.address,
      }));
  }

  shutdown(reason = "shutdown()"): Promise<SupervisorReport> {
    if (this.stopping) return this.closed;
    this.stopping = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.emit({ type: "shutdown", reason, timeout: this.timeout, alive: this.pids() });
    for (const w of this.live.values()) {
      w.state = "stopping";
      w.worker.process.kill("SIGTERM");
    }
    if (this.live.size === 0) this.finish();
    else this.killTimer = setTimeout(() => this.killAll(), this.timeout);
    return this.closed;
  }

  /** SIGKILLs every worker still alive (the grace period is over, or a second signal came). */
  private killAll(): void {
    for (const w of this.live.values()) {
      if (w.killed) continue; // a second SIGINT, then the grace timer: one SIGKILL each
      w.killed = true;
      this.report.killed++;
      this.emit({ type: "kill", slot: w.slot, id: w.worker.id, pid: w.pid, alive: this.pids() });
      w.worker.process.kill("SIGKILL");
    }
  }

  private fork(slot: number): void {
    this.pending.delete(slot);
    const worker = cluster.fork({ ...this.options.env, [SLOT_ENV]: String(slot) });
    const pid = worker.process.pid ?? -1;
    const entry: Live = {
      worker,
      slot,
      pid,
      forkedAt: Date.now(),
      state: "starting",
      address: null,
      killed: false,
    };
    this.live.set(worker.id, entry);
    this.report.forks++;
    this.emit({ type: "fork", slot, id: worker.id, pid, alive: this.pids() });
    worker.on("online", () => {
      if (entry.state === "starting") entry.state = "online";
      this.emit({ type: "online", slot, id: worker.id, pid, alive: this.pids() });
    });
    worker.on("listening", (address: { address: string | null; port: number }) => {
      if (entry.state !== "stopping") entry.state = "listening";
      entry.address = `${address.address ?? "*"}:${address.port}`;
      const a = entry.address;
      this.emit({ type: "listening", slot, id: worker.id, pid, address: a, alive: this.pids() });
    });
    worker.on("error", (error) => {
      this.write?.(`spindle cluster: worker ${worker.id} (slot ${slot}): ${error}`);
      // A fork that failed (EAGAIN, ENOMEM: no pid) never sends 'exit': count it a death
      // now, so the slot backs off and tries again. Other errors (a kill() or send() to a
      // worker already gone) are followed by its 'exit'.
      if (worker.process.pid === undefined) this.onExit(entry, null, null);
    });
    worker.on("exit", (code: number | null, signal: string | null) =>
      this.onExit(entry, code, signal),
    );
  }

  private onExit(entry: Live, code: number | null, signal: string | null): void {
    const { worker, slot, pid } = entry;
    if (this.live.get(worker.id) !== entry) return; // already counted (a failed fork)
    this.live.delete(worker.id);
    this.lastExit = { code, signal };
    const uptime = Date.now() - entry.forkedAt;
    const expected = this.stopping;
    if (!expected) this.report.deaths++;
    this.emit({
      type: "exit",
      slot,
      id: worker.id,
      pid,
      code,
      signal,
      uptime,
      expected,
      alive: this.pids(),
    });
    if (this.stopping) {
      if (this.live.size === 0) this.finish();
      return;
    }
    const decision = this.policy.onDeath(slot, uptime);
    if (decision.action === "restart") {
      const { delay, streak } = decision;
      this.pending.set(
        slot,
        setTimeout(() => this.fork(slot), delay),
      );
      this.emit({ type: "restart", slot, delay, streak, alive: this.pids() });
      return;
    }
    this.givenUp.add(slot);
    this.emit({ type: "give-up", slot, streak: decision.streak, alive: this.pids() });
    if (this.givenUp.size === this.size) this.giveUp(decision.streak);
  }

  private giveUp(streak: number): void {
    this.stopping = true;
    const { code, signal } = this.lastExit;
    const how = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
    this.finish(
      new WorkersGaveUpError(
        `spindle: gave up: every worker slot died ${streak} times in a row without a ` +
          `healthy run (the last ${how}); see the workers' stderr for the cause`,
        this.lastExit,
      ),
    );
  }

  private finish(error?: Error): void {
    if (this.killTimer !== null) clearTimeout(this.killTimer);
    this.killTimer = null;
    this.unhookSignals();
    this.emit({ type: "stopped", alive: [] });
    if (error === undefined) this.resolve({ ...this.report });
    else this.reject(error);
  }

  private hookSignals(): () => void {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (!this.stopping) void this.shutdown(signal);
      // Ctrl-C again while stopping: the operator does not want to wait. A repeated SIGTERM
      // is not that: process managers (and `timeout`) send it to the process and its group.
      else if (signal === "SIGINT" && this.live.size > 0) this.killAll();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    return () => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    };
  }

  private pids(): number[] {
    return [...this.live.values()].sort((a, b) => a.slot - b.slot).map((w) => w.pid);
  }

  private emit(event: SupervisorEvent): void {
    this.write?.(formatEvent(event, this.size));
    this.options.onEvent?.(event);
  }
}

/** The number of workers `workers` asks for (`"auto"`: one per core). */
export function workerCount(workers: number | "auto"): number {
  if (workers === "auto") return availableParallelism();
  if (!(Number.isInteger(workers) && workers >= 1))
    throw new RangeError(`spindle: workers must be an integer ≥ 1 or "auto", got ${workers}`);
  return workers;
}

/** One log line per event: what happened, and which workers are alive after it. */
export function formatEvent(e: SupervisorEvent, size: number): string {
  const who = "id" in e ? `worker ${e.id} (pid ${e.pid}, slot ${e.slot})` : "";
  const alive =
    `alive ${e.alive.length}/${size}` + (e.alive.length ? ` [${e.alive.join(" ")}]` : "");
  let what: string;
  switch (e.type) {
    case "fork":
      what = `${who} forked`;
      break;
    case "online":
      what = `${who} online`;
      break;
    case "listening":
      what = `${who} listening on ${e.address}`;
      break;
    case "exit": {
      const how = e.signal !== null ? `killed by ${e.signal}` : `exited with code ${e.code}`;
      what = `${who} ${how} after ${seconds(e.uptime)}` + (e.expected ? "" : " (unexpected)");
      break;
    }
    case "restart":
      what =
        `slot ${e.slot}: replacing it in ${seconds(e.delay)}` +
        (e.streak > 1 ? ` (death ${e.streak} in a row: backing off)` : "");
      break;
    case "give-up":
      what = `slot ${e.slot}: giving up after ${e.streak} deaths in a row`;
      break;
    case "shutdown":
      what = `shutting down (${e.reason}): SIGTERM to every worker, SIGKILL after ${seconds(e.timeout)}`;
      break;
    case "kill":
      what = `${who} still running after the grace period: SIGKILL`;
      break;
    case "stopped":
      what = "every worker has stopped";
      break;
  }
  return `spindle cluster: ${what}; ${alive}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
