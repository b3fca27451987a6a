// aiohttp's web.Application: a router, middlewares, a body-size bound, state shared with
// handlers, lifecycle signals and sub-applications. It freezes when a runner sets it up:
// from then on routes and sub-applications cannot be added, and the router's find-my-way
// tree (with every sub-application's routes under its prefix) is built once.

import type { CoroutineLike, Instruction } from "../index.js";
import { asOperation } from "../index.js";
import { chain, type Middleware, type NextHandler } from "./handler.js";
import { UrlDispatcher, type Route } from "./router.js";

/** aiohttp's default client_max_size: 1 MiB. */
export const DEFAULT_CLIENT_MAX_SIZE = 1024 ** 2;

/** Options of Application. */
export interface ApplicationOptions {
  /** Middlewares, outermost first. */
  middlewares?: Middleware[];
  /** The largest request body read()/text()/json()/post() accept (default 1 MiB): 413 past it. */
  clientMaxSize?: number;
}

/** A lifecycle callback: gets the application; a generator or async function. */
export type AppSignalHandler = (app: Application) => CoroutineLike<void> | void;

/**
 * A typed key for application state (aiohttp's web.AppKey).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * const counter = new web.AppKey<{ hits: number }>("counter");
 * const app = new web.Application();
 * app.set(counter, { hits: 0 });
 * app.get(counter)!.hits++;
 * ```
 */
export class AppKey<T> {
  declare readonly _type: T;
  constructor(readonly name: string) {}
  toString(): string {
    return `<AppKey ${this.name}>`;
  }
}

/**
 * An application: routes, middlewares, state and lifecycle (aiohttp's web.Application).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * const app = new web.Application();
 * app.router.addGet("/", function* (request) {
 *   return new web.Response({ text: request.path, status: 201 });
 * });
 * app.router.addGet("/{id}", function* (request) {
 *   return new web.Response({ text: request.matchInfo.get("id", "0000") });
 * });
 * // await web.runApp(app, { host: "0.0.0.0", port: 9977 });
 * ```
 */
export class Application {
  readonly router = new UrlDispatcher();
  readonly middlewares: readonly Middleware[];
  readonly clientMaxSize: number;
  /** Run in order when the application starts (before the server listens). */
  readonly onStartup: AppSignalHandler[] = [];
  /** Run in order when the server stops accepting, before in-flight requests are awaited. */
  readonly onShutdown: AppSignalHandler[] = [];
  /** Run in order last, after the server closed. */
  readonly onCleanup: AppSignalHandler[] = [];
  private readonly state = new Map<unknown, unknown>();
  private readonly subapps: Array<{ prefix: string; app: Application }> = [];
  private _frozen = false;

  constructor(options: ApplicationOptions = {}) {
    this.middlewares = [...(options.middlewares ?? [])];
    this.clientMaxSize = options.clientMaxSize ?? DEFAULT_CLIENT_MAX_SIZE;
  }

  /** A state value (aiohttp's app[key]). */
  get<T>(key: AppKey<T>): T | undefined;
  get(key: string): unknown;
  get(key: unknown): unknown {
    return this.state.get(key);
  }
  /** Sets a state value; refused once the application runs (as aiohttp warns). */
  set<T>(key: AppKey<T>, value: T): void;
  set(key: string, value: unknown): void;
  set(key: unknown, value: unknown): void {
    if (this._frozen)
      throw new Error(
        "spindle/http: changing the state of a running application (use an object in it)",
      );
    this.state.set(key, value);
  }
  /** True if `key` is set. */
  has(key: unknown): boolean {
    return this.state.has(key);
  }

  /** Mounts `sub` under `prefix` (aiohttp's add_subapp): its routes, middlewares and signals. */
  addSubapp(prefix: string, sub: Application): void {
    if (this._frozen)
      throw new Error("spindle/http: cannot add a sub-application to a running one");
    const p = prefix.replace(/\/+$/, "");
    if (!p.startsWith("/") || p === "") throw new TypeError(`spindle/http: bad prefix ${prefix}`);
    this.subapps.push({ prefix: p, app: sub });
  }

  /** True once a runner set the application up. */
  get frozen(): boolean {
    return this._frozen;
  }

  /** Freezes the application and builds its routing (a runner's setup calls it). */
  freeze(): void {
    if (this._frozen) return;
    this._frozen = true;
    const entries: Array<{
      prefix: string;
      app: Application;
      route: Route;
      middlewares: Middleware[];
    }> = [];
    this.collect("", [], entries);
    for (const e of entries) e.route._chain = makeChain(e.route, e.middlewares);
    this.router.build(entries);
  }

  private collect(
    prefix: string,
    outer: readonly Middleware[],
    out: Array<{ prefix: string; app: Application; route: Route; middlewares: Middleware[] }>,
  ): void {
    this._frozen = true;
    const middlewares = [...outer, ...this.middlewares];
    for (const route of this.router.routes) out.push({ prefix, app: this, route, middlewares });
    for (const s of this.subapps) s.app.collect(prefix + s.prefix, middlewares, out);
  }

  /** Every application in this tree: this one, then sub-applications depth-first. */
  private *tree(): Iterable<Application> {
    yield this;
    for (const s of this.subapps) yield* s.app.tree();
  }

  /** @internal Runs onStartup of this application and its sub-applications. */
  *startup(): Generator<Instruction | undefined, void, unknown> {
    for (const app of this.tree()) for (const fn of app.onStartup) yield* runSignal(fn, app);
  }
  /** @internal Runs onShutdown. */
  *shutdown(): Generator<Instruction | undefined, void, unknown> {
    for (const app of this.tree()) for (const fn of app.onShutdown) yield* runSignal(fn, app);
  }
  /** @internal Runs onCleanup (every callback, even if one throws; the first error is rethrown). */
  *cleanup(): Generator<Instruction | undefined, void, unknown> {
    let first: unknown = null;
    for (const app of [...this.tree()].reverse())
      for (const fn of app.onCleanup) {
        try {
          yield* runSignal(fn, app);
        } catch (e) {
          first ??= e;
        }
      }
    if (first !== null) throw first;
  }

  toString(): string {
    return `<Application 0x${this.router.routes.length.toString(16)} routes>`;
  }
}

function* runSignal(
  fn: AppSignalHandler,
  app: Application,
): Generator<Instruction | undefined, void, unknown> {
  const r = fn(app);
  if (r !== undefined && r !== null) yield* asOperation(r as CoroutineLike<void>);
}

/** The handler of `route` wrapped in `middlewares`; a bare handler when there are none. */
function makeChain(route: Route, middlewares: readonly Middleware[]): NextHandler | undefined {
  return middlewares.length === 0 ? undefined : chain(route.handler, middlewares);
}
