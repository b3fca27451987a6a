// Every value the package exports carries a doc comment with an @example (issue: "doc
// comments with a short example on every export"), checked through the TypeScript
// compiler's view of each entry point package.json exports, so a new export without one
// fails — and every example type-checks against the real package.

import { describe, expect, it } from "vitest";
import ts from "typescript";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";

function undocumented(entry: string): string[] {
  const file = fileURLToPath(new URL(entry, import.meta.url));
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const missing: string[] = [];
  for (const sym of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    // Types and interfaces document themselves through their members; values must show use.
    const isValue =
      target.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Variable);
    if (!isValue) continue;
    // Constants (ABI numbers, FIRST_COMPLETED…) are documented by a comment, not an example.
    if (target.flags & ts.SymbolFlags.Variable && /^[A-Z0-9_]+$/.test(sym.name)) {
      if (ts.displayPartsToString(target.getDocumentationComment(checker)).trim() === "")
        missing.push(`${sym.name} (no doc comment)`);
      continue;
    }
    const tags = target.getJsDocTags(checker).map((t) => t.name);
    if (!tags.includes("example")) missing.push(sym.name);
  }
  return missing;
}

/** The package's entry points (package.json "exports"), as their TypeScript sources. */
function entries(): Array<[string, string]> {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    name: string;
    exports: Record<string, unknown>;
  };
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(pkg.exports)) {
    const target = typeof value === "string" ? value : (value as { default?: string }).default;
    if (target === undefined || !/^\.\/dist\/.*\.js$/.test(target)) continue;
    out.push([pkg.name + key.slice(1), "../../src/" + target.slice("./dist/".length, -3) + ".ts"]);
  }
  return out;
}

describe("doc comments", () => {
  it.each(entries())("give every value exported from %s an @example", (_name, src) => {
    expect(undocumented(src)).toEqual([]);
  });
});

// ── every @example type-checks ──────────────────────────────────────────────────────────
//
// Each @example of an exported value is compiled against the real package: its code runs
// inside an `async function*` (so both `yield*` and `await` are allowed), with every name
// the entry point exports in scope. Names the example takes for granted (a `worker`, a
// `loop`, a `Job` type) are declared as `any` — a first compile finds them — so what is
// left are real mistakes: a wrong method, a wrong argument, `yield*` of a Promise.

interface Example {
  owner: string;
  code: string;
}

function examplesOf(entry: string): { file: string; names: string[]; examples: Example[] } {
  const file = fileURLToPath(new URL(entry, import.meta.url));
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  const names: string[] = [];
  const examples: Example[] = [];
  const seen = new Set<ts.Symbol>();
  const collect = (owner: string, sym: ts.Symbol): void => {
    if (seen.has(sym)) return;
    seen.add(sym);
    for (const tag of sym.getJsDocTags(checker)) {
      if (tag.name !== "example") continue;
      const text = ts.displayPartsToString(tag.text);
      for (const m of text.matchAll(/```ts\n([\s\S]*?)```/g)) examples.push({ owner, code: m[1]! });
    }
  };
  for (const sym of checker.getExportsOfModule(moduleSymbol)) {
    names.push(sym.name);
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    collect(sym.name, target);
    // Members of exported classes document themselves too.
    if (target.flags & ts.SymbolFlags.Class) {
      const type = checker.getDeclaredTypeOfSymbol(target);
      for (const member of type.getProperties()) collect(`${sym.name}.${member.name}`, member);
      for (const member of checker.getPropertiesOfType(checker.getTypeOfSymbol(target)))
        collect(`${sym.name}.${member.name}`, member);
    }
  }
  return { file, names, examples };
}

function exampleSource(entryFile: string, names: string[], ex: Example, free: string[]): string {
  const imports = ex.code.split("\n").filter((l) => /^import .* from /.test(l));
  const body = ex.code
    .split("\n")
    .filter((l) => !/^import .* from /.test(l))
    .join("\n");
  const mine = new Set(
    imports.flatMap((l) => /\{([^}]*)\}/.exec(l)?.[1]?.split(",") ?? []).map((n) => n.trim()),
  );
  const pkgImports = imports.filter((l) => !/from "spindle(\/[a-z]+)?"/.test(l));
  const ours = names.filter((n) => !mine.has(n));
  return [
    ...pkgImports,
    `import { ${ours.join(", ")} } from ${JSON.stringify(entryFile.replace(/\.ts$/, ".js"))};`,
    ...imports
      .filter((l) => /from "spindle(\/[a-z]+)?"/.test(l))
      .map((l) =>
        l.replace(
          /from "spindle(\/[a-z]+)?"/,
          `from ${JSON.stringify(entryFile.replace(/\.ts$/, ".js"))}`,
        ),
      ),
    ...free.map((n) => `type ${n} = any;\ndeclare let ${n}: any;`),
    "export {};",
    `async function* __example(): AsyncGenerator<any, any, any> {`,
    body,
    "}",
  ].join("\n");
}

function typeErrors(entry: string): string[] {
  const { file, names, examples } = examplesOf(entry);
  const dir = fileURLToPath(new URL("../../src/", import.meta.url));
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noImplicitAny: false,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  };
  const compile = (free: string[][]) => {
    const files = new Map(
      examples.map((ex, i) => [
        `${dir}__example_${i}.ts`,
        exampleSource(file, names, ex, free[i]!),
      ]),
    );
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (f) => files.get(f) ?? read(f);
    host.fileExists = (f) => files.has(f) || exists(f);
    host.getSourceFile = (f, lang, ...rest) =>
      files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang) : getSourceFile(f, lang, ...rest);
    const p = ts.createProgram([...files.keys()], options, host);
    return [...files.keys()].map((f) => ts.getPreEmitDiagnostics(p, p.getSourceFile(f)));
  };
  const first = compile(examples.map(() => []));
  const free = first.map((diags) => [
    ...new Set(
      diags
        .filter((d) => d.code === 2304 || d.code === 2552 || d.code === 2582)
        .map((d) => /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, "\n"))?.[1])
        .filter((n): n is string => n !== undefined),
    ),
  ]);
  const second = compile(free);
  return second.flatMap((diags, i) =>
    diags.map(
      (d) => `${examples[i]!.owner}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`,
    ),
  );
}

describe("@example code", () => {
  it.each(entries())(
    "type-checks for every value exported from %s",
    (_name, src) => {
      expect(typeErrors(src)).toEqual([]);
    },
    60_000,
  );
});
