// The shapes the supervisor shows the world: the handle, a worker's status, its events.

/** Where a worker process is in its life, as the primary sees it. */
export type WorkerState = "starting" | "online" | "listening" | "stopping";

/** One live worker process, as `supervisor.workers()` lists it. */
export interface WorkerStatus {
  /** node:cluster's id (a replacement gets a new one). */
  readonly id: number;
  readonly pid: number;
  /** The slot it fills, 0 … workers−1. */
  readonly slot: number;
  /** `starting` (forked), `online` (running its script), `listening` (a server of it listens), `stopping` (asked to shut down). */
  readonly state: WorkerState;
  /** ms since it was forked. */
  readonly uptime: number;
  /** Deaths in a row of this slot's workers before this one (0: none). */
  readonly streak: number;
  /** `host:port` of the last server it opened, once one listens. */
  readonly address: string | null;
}

/** What happened, as the supervisor reports it (`onEvent`, and one log line each). */
export type SupervisorEvent =
  | { type: "fork"; slot: number; id: number; pid: number; alive: number[] }
  | { type: "online"; slot: number; id: number; pid: number; alive: number[] }
  | { type: "listening"; slot: number; id: number; pid: number; address: string; alive: number[] }
  | {
      type: "exit";
      slot: number;
      id: number;
      pid: number;
      code: number | null;
      signal: string | null;
      uptime: number;
      /** True when the supervisor had asked it to stop. */
      expected: boolean;
      alive: number[];
    }
  | { type: "restart"; slot: number; delay: number; streak: number; alive: number[] }
  | { type: "give-up"; slot: number; streak: number; alive: number[] }
  | { type: "shutdown"; reason: string; timeout: number; alive: number[] }
  | { type: "kill"; slot: number; id: number; pid: number; alive: number[] }
  | { type: "stopped"; alive: number[] };

/** Counts over a supervisor's life, what `closed` resolves with. */
export interface SupervisorReport {
  /** Worker processes forked, replacements included. */
  forks: number;
  /** Workers that died without being asked to. */
  deaths: number;
  /** Workers killed (SIGKILL) because they outlived the shutdown grace period. */
  killed: number;
}

/**
 * The handle superviseWorkers returns. In the primary it forks, watches and replaces the
 * workers; in a worker (the same script, run again by node:cluster) it runs the start
 * function, and its `workers()` is empty.
 */
export interface Supervisor {
  /** Which side of node:cluster this process is. */
  readonly role: "primary" | "worker";
  /**
   * Primary: settles when every worker has stopped after a shutdown — with a report, or
   * with WorkersGaveUpError when every slot was given up. Worker: the process exits when
   * its start function's work is over, so this never settles in practice.
   */
  readonly closed: Promise<SupervisorReport | void>;
  /** The live workers (primary only; a worker sees `[]`). */
  workers(): WorkerStatus[];
  /**
   * Shuts every worker down gracefully (as SIGTERM to the primary does): SIGTERM to each,
   * then SIGKILL to those still alive after `shutdownTimeout`. Resolves with `closed`.
   */
  shutdown(): Promise<SupervisorReport | void>;
}
