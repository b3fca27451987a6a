// What names a job's module: a URL (`new URL("./jobs.js", import.meta.url)`), a URL string
// ("file:///…", "node:crypto", "data:text/javascript,…"), an absolute path, or a bare package
// specifier. The worker imports it with import(), so a bare specifier resolves from
// spindle's own location; a relative one has no base there and is refused.

import { isAbsolute, pathToFileURL } from "#node-host";
import { describe } from "../errors.js";

/** A URL scheme: two letters or more, so a Windows drive ("C:") is not taken for one. */
const SCHEME = /^[a-zA-Z][a-zA-Z\d+.-]+:/;

/** Absolute paths seen, as file URLs (pathToFileURL costs a few µs; callers repeat paths). */
const paths = new Map<string, string>();
/** Paths remembered at most (a program names a handful of job modules). */
const PATHS_CACHED = 256;

/** The module as the URL string the worker imports; a TypeError for what cannot name one. */
export function normalizeModule(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== "string" || module === "")
    throw new TypeError(
      `spindle: a job's module must be a URL or a string (new URL("./jobs.js", import.meta.url)), got ${describe(module)}`,
    );
  if (SCHEME.test(module)) return module;
  if (isAbsolute(module)) {
    let url = paths.get(module);
    if (url === undefined) {
      url = pathToFileURL(module).href;
      if (paths.size < PATHS_CACHED) paths.set(module, url);
    }
    return url;
  }
  if (module.startsWith("./") || module.startsWith("../"))
    throw new TypeError(
      `spindle: the job module "${module}" is relative, and a worker thread has no base to ` +
        `resolve it from: pass new URL("${module}", import.meta.url)`,
    );
  return module; // a bare specifier: resolved by the worker from spindle's location
}

/** The export's name, checked. */
export function checkExport(name: unknown): string {
  if (typeof name !== "string" || name === "")
    throw new TypeError(
      `spindle: a job's export must be named by a non-empty string, got ${describe(name)}`,
    );
  return name;
}
