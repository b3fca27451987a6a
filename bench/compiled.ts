// Compiled JavaScript for the child processes of the memory (8) and cold-start (9) shapes.
//
// WHY. Those shapes start fresh Node processes, and a child run through tsx would spend its
// start-up transpiling spindle's TypeScript, which Effection and Effect (plain JavaScript in
// node_modules) never pay: cold start would measure tsx. So the children run spindle the
// way a user of the package does, as JavaScript (what `npm run build:ts` puts in dist/),
// with nothing but node.
//
// HOW. Each .ts file of src/ and the child scripts is transpiled on its own with the
// TypeScript compiler's transpileModule (the project compiles with isolatedModules, so a
// file needs nothing but itself) into a directory under node_modules/.cache/, next to a
// copy of build/spindle.wasm and build/spindle-wasm.js (the core's bytes as a module) at
// the relative paths src/core/ expects, and a
// package.json that makes the .js files ES modules. From there Node resolves `effection`
// and `effect` in the project's node_modules, as a user's program would. dist/ is left
// alone: it belongs to the build and may be stale or mid-rebuild.

import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The child scripts, relative to the project root. */
const CHILDREN = ["bench/memory-child.ts", "bench/cold-start-child.ts"];

/** The files of `dir` and below whose names end with `ext` (".ts": not ".d.ts"). */
function filesOf(dir: string, ext: ".ts" | ".js"): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesOf(path, ext));
    else if (entry.name.endsWith(ext) && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** A compiled tree; `script(name)` is the path of a compiled child script. */
export interface CompiledTree {
  dir: string;
  script(name: "memory-child" | "cold-start-child"): string;
  /** Removes the tree. */
  dispose(): void;
}

/**
 * Transpiles src/ and the child scripts into a fresh directory (one per calling process,
 * so concurrent runs do not share one) and returns where they are.
 *
 * @example
 * ```ts
 * const tree = compileTree();
 * try { spawnSync(process.execPath, [tree.script("memory-child"), "native", "1000"]); }
 * finally { tree.dispose(); }
 * ```
 */
export function compileTree(): CompiledTree {
  const dir = join(ROOT, "node_modules", ".cache", "spindle-bench", String(process.pid));
  rmSync(dir, { recursive: true, force: true });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    // *Must* match tsconfig.json: the children run spindle as dist/ has it.
    useDefineForClassFields: false,
  };
  const sources = [...filesOf(join(ROOT, "src"), ".ts"), ...CHILDREN.map((c) => join(ROOT, c))];
  for (const file of sources) {
    const rel = relative(ROOT, file);
    const { outputText, diagnostics } = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: options,
      fileName: file,
      reportDiagnostics: true,
    });
    if (diagnostics !== undefined && diagnostics.length > 0) {
      const text = ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, "\n");
      throw new Error(`bench: cannot transpile ${rel}: ${text}`);
    }
    const out = join(dir, rel.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  // src/ also holds JavaScript (src/executor/runner.js, which worker threads load as it is).
  for (const file of filesOf(join(ROOT, "src"), ".js")) {
    const out = join(dir, relative(ROOT, file));
    mkdirSync(dirname(out), { recursive: true });
    copyFileSync(file, out);
  }
  mkdirSync(join(dir, "build"), { recursive: true });
  for (const built of ["spindle.wasm", "spindle-wasm.js"])
    copyFileSync(join(ROOT, "build", built), join(dir, "build", built));
  // The package's own `imports` (#node-host …), pointed at this tree: dist/x.js is src/x.js here.
  const { imports = {} } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    imports?: Record<string, Record<string, string>>;
  };
  const here: Record<string, Record<string, string>> = {};
  for (const [name, conditions] of Object.entries(imports)) {
    here[name] = {};
    for (const [condition, target] of Object.entries(conditions))
      if (condition !== "types") here[name][condition] = target.replace(/^\.\/dist\//, "./src/");
  }
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ type: "module", private: true, imports: here }, null, 2) + "\n",
  );
  return {
    dir,
    script: (name) => join(dir, "bench", `${name}.js`),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
