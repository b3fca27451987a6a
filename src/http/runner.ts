// Starting and stopping an application: aiohttp's AppRunner (the application's lifecycle
// and its request handler) and TCPSite (one listening socket), and runApp, which runs one
// application until SIGINT or SIGTERM.
//
// runApp is two layers on purpose: serveApp(app, options) is the operation that serves
// the application in this process until it is told to stop (a signal or an AbortSignal),
// and runApp runs it on a fresh loop. A process supervisor (node:cluster, a `workers`
// option) calls runApp — or serveApp on a loop of its own — in each worker.

import type { Server as NodeServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRunningLoop, run, suspend, type Instruction, type Operation } from "../index.js";
import type { ExternalHold } from "../index.js";
import type { Application } from "./application.js";
import { dual, type Dual } from "./op.js";
import { RequestHandler, type ServerOptions } from "./server.js";
import type { ClusterOptions } from "../cluster/supervisor.js";
import { runAppOnWorkers } from "./workers.js";

/** Options of AppRunner: the server's limits and timeouts. */
export type AppRunnerOptions = ServerOptions;

/**
 * Sets an application up and tears it down, for sites to serve (aiohttp's AppRunner).
 *
 * @example
 * ```ts
 * import { run } from "spindle";
 * import { web } from "spindle/http";
 *
 * await run(function* () {
 *   const app = new web.Application();
 *   app.router.addGet("/", function* () { return new web.Response({ text: "hi" }); });
 *   const runner = new web.AppRunner(app);
 *   yield* runner.setup();
 *   const site = new web.TCPSite(runner, "127.0.0.1", 0);
 *   yield* site.start();
 *   console.log(`serving on port ${site.port}`);
 *   yield* runner.cleanup();
 * });
 * ```
 */
export class AppRunner {
  /** @internal */
  _handler: RequestHandler | null = null;
  /** The sites started on this runner. */
  readonly sites = new Set<TCPSite>();

  constructor(
    readonly app: Application,
    readonly options: AppRunnerOptions = {},
  ) {}

  /** The addresses the sites listen on, as [host, port]. */
  get addresses(): Array<[string, number]> {
    return [...this.sites].filter((s) => s.port !== 0).map((s) => [s.host, s.port]);
  }

  /** The request handler's in-flight requests. */
  get inFlight(): number {
    return this._handler?.inFlightCount ?? 0;
  }

  /** Freezes the application and runs its onStartup callbacks, on the running loop. */
  setup(): Dual<void> {
    return dual(
      function* (this: AppRunner) {
        if (this._handler !== null) return;
        const loop = getRunningLoop();
        if (loop === null) throw new Error("spindle/http: AppRunner.setup() runs on a loop");
        this.app.freeze();
        yield* this.app.startup();
        this._handler = new RequestHandler(this.app, loop, this.options);
      }.bind(this),
    );
  }

  /**
   * Stops serving and tears down, as aiohttp: the sites stop accepting and idle
   * connections close; onShutdown runs; in-flight requests get `shutdownTimeout` ms to
   * finish, then are cancelled and every connection closes; onCleanup runs last.
   */
  cleanup(): Dual<void> {
    return dual(
      function* (this: AppRunner) {
        const handler = this._handler;
        if (handler === null) return;
        for (const site of this.sites) site._stopListening();
        try {
          yield* this.app.shutdown();
          yield* handler.shutdown(this.options.shutdownTimeout ?? 60_000);
          for (const site of [...this.sites]) yield* site._closed();
        } finally {
          this._handler = null;
          yield* this.app.cleanup();
        }
      }.bind(this),
    );
  }
}

/** Options of TCPSite. */
export interface TCPSiteOptions {
  /** The listen backlog. */
  backlog?: number;
  /** SO_REUSEPORT (Linux): several processes may listen on the port. */
  reusePort?: boolean;
}

/**
 * A listening TCP socket serving a runner's application (aiohttp's TCPSite).
 *
 * @example
 * ```ts
 * import { run } from "spindle";
 * import { web } from "spindle/http";
 *
 * await run(function* () {
 *   const runner = new web.AppRunner(new web.Application());
 *   yield* runner.setup();
 *   const site = new web.TCPSite(runner, "127.0.0.1", 0); // port 0: any free port
 *   yield* site.start();
 *   console.log(site.name); // http://127.0.0.1:<port>
 *   yield* runner.cleanup();
 * });
 * ```
 */
export class TCPSite {
  private server: NodeServer | null = null;
  private hold: ExternalHold | null = null;
  private bound = 0;
  private serverClosed = false;

  constructor(
    readonly runner: AppRunner,
    readonly host = "0.0.0.0",
    private readonly requestedPort = 8080,
    readonly options: TCPSiteOptions = {},
  ) {}

  /** The port listened on (the one chosen for port 0), or 0 before start(). */
  get port(): number {
    return this.bound;
  }

  /** The site's URL. */
  get name(): string {
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    return `http://${host}:${this.bound || this.requestedPort}`;
  }

  /** The underlying node:http server (for its options and events), once started. */
  get nodeServer(): NodeServer | null {
    return this.server;
  }

  /** Starts listening. */
  start(): Dual<void> {
    return dual(
      function* (this: TCPSite) {
        const handler = this.runner._handler;
        if (handler === null)
          throw new Error("spindle/http: call runner.setup() before site.start()");
        if (this.server !== null) return;
        const server = handler.createNodeServer();
        this.server = server;
        this.serverClosed = false;
        server.once("close", () => void (this.serverClosed = true));
        yield* listen(server, this.requestedPort, this.host, this.options);
        this.bound = (server.address() as AddressInfo).port;
        this.hold = handler.loop.holdExternal(`http server on ${this.name}`);
        this.runner.sites.add(this);
      }.bind(this),
    );
  }

  /** Stops this site alone: no new connections; open ones end as their requests do. */
  stop(): Dual<void> {
    return dual(
      function* (this: TCPSite) {
        this._stopListening();
        yield* this._closed();
      }.bind(this),
    );
  }

  /** @internal */
  _stopListening(): void {
    if (this.server === null) return;
    this.server.close();
    this.server.closeIdleConnections();
  }

  /** @internal Waits until the server closed (every connection ended). */
  *_closed(): Generator<Instruction | undefined, void, unknown> {
    const server = this.server;
    if (server === null) return;
    if (!this.serverClosed) {
      yield* suspend<void>(
        (waker) => {
          const done = (): void => void waker.resume();
          server.once("close", done);
          return () => void server.off("close", done);
        },
        { describe: "the server to close" },
      );
    }
    this.server = null;
    this.hold?.release();
    this.hold = null;
    this.runner.sites.delete(this);
  }
}

function listen(
  server: NodeServer,
  port: number,
  host: string,
  options: TCPSiteOptions,
): Operation<void> {
  return suspend<void>(
    (waker) => {
      const onError = (e: Error): void => void waker.fail(e);
      server.once("error", onError);
      server.listen({ port, host, backlog: options.backlog, reusePort: options.reusePort }, () => {
        server.off("error", onError);
        waker.resume();
      });
      return () => {
        server.off("error", onError);
        server.close();
      };
    },
    { describe: "the server to listen" },
  );
}

/** Options of runApp and serveApp. */
export interface RunAppOptions extends AppRunnerOptions, TCPSiteOptions {
  /** The host to listen on (default "0.0.0.0"). */
  host?: string;
  /** The port (default 8080; 0 = any free port). */
  port?: number;
  /** Where the "Running on" banner goes (default console.log; null: nowhere). */
  print?: ((line: string) => void) | null;
  /** Stop serving when this aborts (besides SIGINT and SIGTERM). */
  signal?: AbortSignal;
  /** Listen for SIGINT and SIGTERM (default true). */
  handleSignals?: boolean;
  /** Called with the started site (its port, for port 0). */
  onListening?: (site: TCPSite) => void;
  /** runApp only: the scheduler core of the loop ("wasm" default, or "ts"). */
  core?: "wasm" | "ts";
  // ── cluster layer: serving from several processes (src/http/workers.ts) ──
  /**
   * runApp only: serve from this many worker processes sharing the port (node:cluster;
   * `"auto"`: one per core). Each worker runs the app on its own loop; the primary replaces
   * a worker that dies and shuts them all down gracefully on SIGTERM/SIGINT.
   */
  workers?: number | "auto";
  /** With `workers`: the supervisor's options (back-off, grace period, log; spindle/cluster). */
  cluster?: ClusterOptions;
}

/**
 * Serves `app` in this process until SIGINT, SIGTERM or `options.signal`, then shuts down
 * gracefully — an operation, for a loop that is already running (runApp runs it on a new
 * one). A supervisor of several processes calls it (or runApp) in each worker.
 *
 * @example
 * ```ts
 * import { run } from "spindle";
 * import { web } from "spindle/http";
 *
 * const app = new web.Application();
 * const stop = new AbortController();
 * setTimeout(() => stop.abort(), 1000);
 * await run(web.serveApp(app, { port: 0, signal: stop.signal }));
 * ```
 */
export function* serveApp(
  app: Application,
  options: RunAppOptions = {},
): Generator<Instruction | undefined, void, unknown> {
  const runner = new AppRunner(app, options);
  yield* runner.setup();
  try {
    const site = new TCPSite(runner, options.host ?? "0.0.0.0", options.port ?? 8080, options);
    yield* site.start();
    const print = options.print === undefined ? console.log : options.print;
    if (print !== null) print(`======== Running on ${site.name} ========\n(Press CTRL+C to quit)`);
    options.onListening?.(site);
    yield* stopRequested(options);
  } finally {
    yield* runner.cleanup();
  }
}

/** Waits for SIGINT, SIGTERM (if handled) or the abort signal. */
function stopRequested(options: RunAppOptions): Operation<void> {
  return suspend<void>(
    (waker) => {
      const stop = (): void => void waker.resume();
      const signals = options.handleSignals === false ? [] : (["SIGINT", "SIGTERM"] as const);
      for (const s of signals) process.on(s, stop);
      options.signal?.addEventListener("abort", stop, { once: true });
      if (options.signal?.aborted === true) stop();
      return () => {
        for (const s of signals) process.off(s, stop);
        options.signal?.removeEventListener("abort", stop);
      };
    },
    { describe: "a stop signal (SIGINT, SIGTERM)" },
  );
}

/**
 * Runs `app` on a new loop until SIGINT or SIGTERM (aiohttp's web.run_app): prints where it
 * listens, serves, then shuts down gracefully (stop accepting, close idle keep-alive
 * connections, let in-flight requests finish within `shutdownTimeout`, force-close, run
 * the cleanup callbacks). Resolves when all that is done.
 *
 * With `workers: n` (or `"auto"`, one per core) the app runs in n processes sharing the
 * port (node:cluster): the primary forks and supervises them — a worker that dies is
 * replaced, with a back-off — and SIGTERM/SIGINT run this same graceful shutdown in every
 * worker; runApp resolves in the primary once all have stopped. The program runs again
 * in each worker, so code before runApp runs in every process (docs/scaling.md).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * const app = new web.Application();
 * app.router.addGet("/", function* (request) {
 *   return new web.Response({ text: request.path, status: 201 });
 * });
 * await web.runApp(app, { host: "0.0.0.0", port: 9977 });
 * // or, on every core: await web.runApp(app, { port: 9977, workers: "auto" });
 * ```
 */
export function runApp(app: Application, options: RunAppOptions = {}): Promise<void> {
  // cluster layer: `workers` runs the app across processes (src/http/workers.ts).
  if (options.workers !== undefined) return runAppOnWorkers(app, options);
  return run(serveApp(app, options), options.core === undefined ? {} : { core: options.core });
}
