// Bundles dist/ for Node: every entry point of package.json into dist/node/, the code they
// share split into chunks, so `import "spindle"` loads a handful of files instead of ~60
// modules (npm run build:ts runs it after tsc).
//
// WHY. Node's ESM loader costs per module (resolve, read, parse, link): measured on this
// project, most of the time from process start to the first task was loading the tree of
// small modules, not running anything (docs/benchmarks.md, shape 9). One chunk graph for all
// entries, not one bundle per entry: `spindle`, `spindle/greenlet`, `spindle/gevent` and
// `spindle/http` share the kernel, and two copies of it would be two running-loop registries
// and two Task classes (instanceof fails across them).
//
// What stays outside: dependencies (piscina, undici, ws, …: installed beside spindle and
// loaded where used) and Node's built-ins. The executor's worker-side runner is not bundled
// (piscina loads it in each worker thread by URL, next to the module that names it), so it
// is copied beside the chunks. The browser and default conditions keep dist/'s unbundled ES
// modules, which a page's own bundler handles.

import { build } from "esbuild";
import { copyFileSync, readFileSync, rmSync } from "node:fs";

const root = new URL("../", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));

/** package.json export → its unbundled file in dist/ (the `default` condition). */
const entries = {};
for (const [subpath, target] of Object.entries(pkg.exports)) {
  const file = typeof target === "object" ? target.default : null;
  if (typeof file !== "string" || !file.startsWith("./dist/") || !file.endsWith(".js")) continue;
  const name = subpath === "." ? "index" : subpath.slice(2).replace(/\//g, "-");
  entries[name] = fileURLPath(new URL(file, root));
}

const outdir = fileURLPath(new URL("dist/node/", root));
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  // Chunks beside the entries: the runner's URL is resolved from whichever file the executor
  // lands in, so all of them must be in one directory.
  chunkNames: "[name]-[hash]",
  // dist/ as an installed package sees it: no tsconfig. Its "paths" map the internal imports
  // ("#node-host", "#node-io") to src/ for the type checker; followed here, they would pull
  // src/ files into the bundle beside dist/'s.
  tsconfigRaw: {},
});

// The runner and the constants it shares with the main thread, where `new URL("./runner.js",
// import.meta.url)` looks for them from the bundle.
for (const file of ["runner.js", "states.js"])
  copyFileSync(new URL(`dist/executor/${file}`, root), new URL(`dist/node/${file}`, root));

function fileURLPath(url) {
  return decodeURIComponent(url.pathname);
}
