// aiohttp's UrlDispatcher on find-my-way. Routes are written in aiohttp's syntax —
// `/users/{id}`, `/n/{n:\d+}`, `/static/{tail:.*}` — and translated onto find-my-way's
// (`:id`, `:n(\d+)`, a trailing `*`). The router records routes as they are added and
// builds its find-my-way tree when the application freezes (sub-applications' routes are
// added there, under their prefix), so a route added late is still seen.
//
// Precedence is find-my-way's, not aiohttp's: a static segment beats a parameter, which
// beats a wildcard, whatever the order the routes were added in (aiohttp tries routes in
// the order they were added). For the usual tables the two agree; see docs/http.md.
//
// A miss answers 404; a path that some other method would match answers 405 with Allow
// (sorted, as aiohttp's). Both are thrown as HTTP exceptions from a handler, so the
// application's middlewares see them, as in aiohttp.

import FindMyWay from "find-my-way";
import { HTTPMethodNotAllowed, HTTPNotFound } from "./exceptions.js";
import { staticHandler } from "./file-response.js";
import type { Application } from "./application.js";
import type { Handler, NextHandler } from "./handler.js";

/** The methods a "*" route answers (aiohttp's hdrs.METH_ALL). */
const ALL_METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "CONNECT",
  "TRACE",
];

/** Options of addGet and addRoute. */
export interface RouteOptions {
  /** The route's name, for `router.get(name)` and `route.url()`. */
  name?: string;
  /** addGet only: also answer HEAD (default true, as aiohttp's allow_head). */
  allowHead?: boolean;
}

/** One parameter of a route: its name and whether it must be non-empty ({id} form). */
interface Param {
  name: string;
  plain: boolean;
}

/**
 * A route: a method, a path in aiohttp's syntax, and its handler.
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * const app = new web.Application();
 * const route = app.router.addGet("/users/{id}", function* (request) {
 *   return new web.Response({ text: request.matchInfo.get("id") });
 * });
 * console.log(route.method, route.path); // GET /users/{id}
 * ```
 */
export class Route {
  /** @internal the find-my-way form of the path, and its parameters */
  readonly pattern: string;
  /** @internal */
  readonly params: readonly Param[];
  /** @internal a trailing {name:regex} that may match "/" (find-my-way's wildcard) */
  readonly tailRe: RegExp | null;
  /** @internal the application whose middlewares wrap this route (set at freeze) */
  app: Application | null = null;
  /** @internal the handler wrapped in its middlewares (undefined: none) */
  _chain: NextHandler | undefined = undefined;
  /** @internal the handler is a generator function (called and delegated to directly) */
  readonly _generator: boolean;
  constructor(
    readonly method: string,
    readonly path: string,
    readonly handler: Handler,
    readonly name: string | undefined,
  ) {
    [this.pattern, this.params, this.tailRe] = translate(path);
    this._generator = handler instanceof (GeneratorFunction as typeof Function);
  }

  /** The URL path of this route with `params` filled in. */
  url(params: Record<string, string> = {}): string {
    return this.path.replace(
      /\{([_a-zA-Z][_a-zA-Z0-9]*)(?::[^}]*(?:\}[^{}/]*)*)?\}/g,
      (_m, n: string) => {
        const v = params[n];
        if (v === undefined) throw new TypeError(`spindle/http: route ${this.path} needs ${n}`);
        return encodeURIComponent(v);
      },
    );
  }

  toString(): string {
    return `<Route [${this.method}] ${this.path} -> ${this.handler.name || "handler"}>`;
  }
}

/**
 * The parameters a route matched (`request.matchInfo`): aiohttp's UrlMappingMatchInfo, a
 * Map from name to the decoded value, with `get(name, default)`.
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* handle(request: web.Request) {
 *   const id = request.matchInfo.get("id", "0000");
 *   return new web.Response({ text: id });
 * }
 * ```
 */
export class MatchInfo extends Map<string, string> {
  constructor(
    entries: Iterable<readonly [string, string]>,
    /** The route that matched (null for a 404 or 405). */
    readonly route: Route | null,
  ) {
    super(entries);
  }

  override get(name: string): string | undefined;
  override get(name: string, fallback: string): string;
  override get(name: string, fallback?: string): string | undefined {
    const v = super.get(name);
    return v === undefined ? fallback : v;
  }

  /** @internal From find-my-way's params object (no intermediate array of entries). */
  static of(params: Record<string, string | undefined>, route: Route | null): MatchInfo {
    const m = new MatchInfo([], route);
    for (const k in params) m.set(k, params[k]!);
    return m;
  }

  /** The application that owns the matched route. */
  get app(): Application | null {
    return this.route?.app ?? null;
  }

  /** As aiohttp prints it: `<MatchInfo {'id': '42'}: <Route [GET] /{id} -> handle>>`. */
  override toString(): string {
    const items = [...this].map(([k, v]) => `'${k}': '${v}'`).join(", ");
    return `<MatchInfo {${items}}: ${this.route === null ? "<no route>" : this.route.toString()}>`;
  }
}

/** What `resolve` found: the route and its parameters, or the exception to answer with. */
export type Resolution =
  | { route: Route; params: Record<string, string | undefined> }
  | { route: null; error: HTTPNotFound | HTTPMethodNotAllowed };

/**
 * The application's router (aiohttp's UrlDispatcher): `addGet`, `addPost`, `addPut`,
 * `addPatch`, `addDelete`, `addHead`, `addRoute(method, path, handler)`, `addRoutes`,
 * `addStatic`.
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * const app = new web.Application();
 * app.router.addGet("/", function* (request) {
 *   return new web.Response({ text: request.path, status: 201 });
 * });
 * app.router.addRoutes([web.post("/items", function* () { return web.jsonResponse({ ok: true }); })]);
 * ```
 */
export class UrlDispatcher {
  /** The routes in the order they were added. */
  readonly routes: Route[] = [];
  private readonly named = new Map<string, Route>();
  private tree: FindMyWay.Instance<FindMyWay.HTTPVersion.V1> | null = null;
  private methods: string[] = [];

  /** Adds a route; `method` "*" answers every method. */
  addRoute(method: string, path: string, handler: Handler, options: RouteOptions = {}): Route {
    if (this.tree !== null)
      throw new Error(
        `spindle/http: cannot add ${method} ${path}: the application is frozen (running)`,
      );
    if (!path.startsWith("/")) throw new TypeError(`spindle/http: a path starts with "/": ${path}`);
    const route = new Route(method.toUpperCase(), path, handler, options.name);
    this.routes.push(route);
    if (options.name !== undefined) {
      if (this.named.has(options.name))
        throw new Error(`spindle/http: duplicate route name ${options.name}`);
      this.named.set(options.name, route);
    }
    return route;
  }

  /** GET (and HEAD, unless `allowHead: false`). */
  addGet(path: string, handler: Handler, options: RouteOptions = {}): Route {
    const route = this.addRoute("GET", path, handler, options);
    if (options.allowHead !== false) this.addRoute("HEAD", path, handler);
    return route;
  }
  /** HEAD. */
  addHead(path: string, handler: Handler, options?: RouteOptions): Route {
    return this.addRoute("HEAD", path, handler, options);
  }
  /** POST. */
  addPost(path: string, handler: Handler, options?: RouteOptions): Route {
    return this.addRoute("POST", path, handler, options);
  }
  /** PUT. */
  addPut(path: string, handler: Handler, options?: RouteOptions): Route {
    return this.addRoute("PUT", path, handler, options);
  }
  /** PATCH. */
  addPatch(path: string, handler: Handler, options?: RouteOptions): Route {
    return this.addRoute("PATCH", path, handler, options);
  }
  /** DELETE. */
  addDelete(path: string, handler: Handler, options?: RouteOptions): Route {
    return this.addRoute("DELETE", path, handler, options);
  }
  /** OPTIONS. */
  addOptions(path: string, handler: Handler, options?: RouteOptions): Route {
    return this.addRoute("OPTIONS", path, handler, options);
  }

  /**
   * Serves the files under `dir` at `prefix` (GET and HEAD), through `send`: ranges,
   * ETags, conditional requests; paths that climb out of `dir` are refused (403).
   */
  addStatic(prefix: string, dir: string, options: RouteOptions = {}): Route {
    const p = prefix.replace(/\/+$/, "");
    return this.addGet(`${p}/{filename:.*}`, staticHandler(p, dir), options);
  }

  /** Adds route definitions made with `web.get`, `web.post`, … (aiohttp's add_routes). */
  addRoutes(defs: Iterable<RouteDef>): Route[] {
    const out: Route[] = [];
    for (const d of defs) {
      if (d.method === "GET") out.push(this.addGet(d.path, d.handler, d.options));
      else out.push(this.addRoute(d.method, d.path, d.handler, d.options));
    }
    return out;
  }

  /** The route added with `{ name }`. */
  get(name: string): Route | undefined {
    return this.named.get(name);
  }

  /**
   * @internal Builds the find-my-way tree from this router's routes and those of the
   * sub-applications, each under its prefix. Called when the application freezes.
   */
  build(entries: Iterable<{ prefix: string; app: Application; route: Route }>): void {
    const tree = FindMyWay({
      caseSensitive: true,
      ignoreTrailingSlash: false,
      maxParamLength: 8192,
    });
    const methods = new Set<string>();
    for (const { prefix, app, route } of entries) {
      route.app = app;
      const pattern = prefix === "" ? route.pattern : escapeStatic(prefix) + route.pattern;
      const list = route.method === "*" ? ALL_METHODS : [route.method];
      for (const m of list) {
        methods.add(m);
        tree.on(m as FindMyWay.HTTPMethod, pattern, noop, route);
      }
    }
    this.tree = tree;
    this.methods = [...methods].sort();
  }

  /** True once the application froze (routes can no longer be added). */
  get frozen(): boolean {
    return this.tree !== null;
  }

  /** @internal Finds the route for `method` and `path` (the raw path, before the query). */
  resolve(method: string, path: string): Resolution {
    const tree = this.tree!;
    const found = tree.find(method as FindMyWay.HTTPMethod, path);
    if (found !== null) {
      const route = found.store as Route;
      if (checkParams(route, found.params)) return { route, params: found.params };
    }
    const allowed: string[] = [];
    for (const m of this.methods) {
      if (m === method) continue;
      const other = tree.find(m as FindMyWay.HTTPMethod, path);
      if (other !== null && checkParams(other.store as Route, other.params)) allowed.push(m);
    }
    if (allowed.length > 0)
      return { route: null, error: new HTTPMethodNotAllowed(method, allowed) };
    return { route: null, error: new HTTPNotFound() };
  }
}

function noop(): void {}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as unknown;

/** aiohttp's `{name}` matches one or more characters: find-my-way's `:name` also matches none. */
function checkParams(route: Route, params: Record<string, string | undefined>): boolean {
  for (const p of route.params) if (p.plain && params[p.name] === "") return false;
  if (route.tailRe !== null) {
    // A trailing {name:regex} became find-my-way's wildcard: check the regex here.
    const last = route.params[route.params.length - 1]!;
    const value = params["*"] ?? "";
    params[last.name] = value;
    delete params["*"];
    return route.tailRe.test(value);
  }
  return true;
}

/** A route definition for `router.addRoutes` (aiohttp's web.get, web.post, …). */
export interface RouteDef {
  method: string;
  path: string;
  handler: Handler;
  options?: RouteOptions;
}

const def =
  (method: string) =>
  (path: string, handler: Handler, options?: RouteOptions): RouteDef => ({
    method,
    path,
    handler,
    options,
  });

/** A GET route definition. @example `app.router.addRoutes([web.get("/", index)])` */
export const get = def("GET");
/** A POST route definition. @example `app.router.addRoutes([web.post("/items", create)])` */
export const post = def("POST");
/** A PUT route definition. @example `app.router.addRoutes([web.put("/items/{id}", replace)])` */
export const put = def("PUT");
/** A PATCH route definition. @example `app.router.addRoutes([web.patch("/items/{id}", edit)])` */
export const patch = def("PATCH");
/** A DELETE route definition. @example `app.router.addRoutes([web.delete_("/items/{id}", remove)])` */
export const delete_ = def("DELETE");
/** A HEAD route definition. @example `app.router.addRoutes([web.head("/", probe)])` */
export const head = def("HEAD");
/** A route for any method ("*") or a named one. @example `app.router.addRoutes([web.route("*", "/any", h)])` */
export const route = (
  method: string,
  path: string,
  handler: Handler,
  options?: RouteOptions,
): RouteDef => def(method.toUpperCase())(path, handler, options);

// ── path translation ───────────────────────────────────────────────────────────────────

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** A regex that can match a "/" cannot be a find-my-way parameter (one segment). */
function crossesSegments(re: string): boolean {
  return re.includes("/") || /(^|[^\\])\.[*+]/.test(re) || re.includes("\\S") || /\[\^/.test(re);
}

function escapeStatic(text: string): string {
  return text.replace(/:/g, "::");
}

/** aiohttp's path syntax onto find-my-way's: returns the pattern and its parameters. */
function translate(path: string): [string, Param[], RegExp | null] {
  let out = "";
  const params: Param[] = [];
  let tailRe: RegExp | null = null;
  let i = 0;
  while (i < path.length) {
    const open = path.indexOf("{", i);
    if (open < 0) {
      out += escapeStatic(path.slice(i));
      break;
    }
    out += escapeStatic(path.slice(i, open));
    // Find the matching "}" (a regex may hold braces of its own: {n:\d{2,3}}).
    let depth = 0;
    let close = -1;
    for (let j = open; j < path.length; j++) {
      if (path[j] === "{") depth++;
      else if (path[j] === "}" && --depth === 0) {
        close = j;
        break;
      }
    }
    if (close < 0) throw new TypeError(`spindle/http: unbalanced "{" in ${path}`);
    const body = path.slice(open + 1, close);
    const colon = body.indexOf(":");
    const name = colon < 0 ? body : body.slice(0, colon);
    if (!NAME.test(name))
      throw new TypeError(`spindle/http: bad parameter name "${name}" in ${path}`);
    if (colon < 0) {
      out += `:${name}`;
      params.push({ name, plain: true });
    } else {
      const re = body.slice(colon + 1);
      const last = close === path.length - 1;
      if (crossesSegments(re)) {
        if (!last)
          throw new TypeError(
            `spindle/http: {${name}:${re}} may match "/": only the last parameter of a path can (${path})`,
          );
        out += "*";
        params.push({ name, plain: false });
        tailRe = new RegExp(`^(?:${re})$`); // checked in checkParams
      } else {
        out += `:${name}(${re})`;
        params.push({ name, plain: false });
      }
    }
    i = close + 1;
  }
  return [out, params, tailRe];
}
