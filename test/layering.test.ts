// The layering rule (DESIGN.md, STYLE.md §2; trio tests the same of its _core): code outside
// src/kernel/ and src/core/ — combinators, sync primitives, streams, HTTP, greenlet,
// gevent, the executor — uses the kernel's public operations only. The TypeScript checker
// resolves every name and member those files use; none may resolve to a declaration in
// src/kernel/ or src/core/ that is marked @internal. And layers depend downward only: the
// kernel imports nothing above it.

import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SRC = join(ROOT, "src");

function program(): ts.Program {
  const configPath = join(ROOT, "tsconfig.build.json");
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  return ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: true });
}

const layerOf = (file: string): string => relative(SRC, file).split(sep)[0]!;
const isKernelSide = (file: string): boolean => ["kernel", "core"].includes(layerOf(file));

function isInternal(decl: ts.Declaration): boolean {
  return ts.getJSDocTags(decl).some((t) => t.tagName.text === "internal");
}

/** Every use, in files above the kernel, of a kernel or core declaration marked @internal. */
function internalUses(p: ts.Program): string[] {
  const checker = p.getTypeChecker();
  const found: string[] = [];
  for (const sf of p.getSourceFiles()) {
    const file = sf.fileName;
    if (!file.startsWith(SRC) || isKernelSide(file)) continue;
    const visit = (node: ts.Node): void => {
      let name: ts.Node | undefined;
      if (ts.isPropertyAccessExpression(node)) name = node.name;
      else if (ts.isImportSpecifier(node) || ts.isExportSpecifier(node)) name = node.name;
      else if (ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node.parent)) name = node;
      if (name !== undefined) {
        let symbol = checker.getSymbolAtLocation(name);
        if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias)
          symbol = checker.getAliasedSymbol(symbol);
        for (const decl of symbol?.declarations ?? []) {
          const declFile = decl.getSourceFile().fileName;
          if (declFile.startsWith(SRC) && isKernelSide(declFile) && isInternal(decl)) {
            const { line } = sf.getLineAndCharacterOfPosition(name.getStart());
            found.push(`${relative(ROOT, file)}:${line + 1} uses ${name.getText()}`);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return [...new Set(found)];
}

/** Imports that point up: the kernel and core import nothing from the layers above. */
function upwardImports(p: ts.Program): string[] {
  const found: string[] = [];
  for (const sf of p.getSourceFiles()) {
    if (!sf.fileName.startsWith(SRC) || !isKernelSide(sf.fileName)) continue;
    for (const stmt of sf.statements) {
      if (!ts.isImportDeclaration(stmt) && !ts.isExportDeclaration(stmt)) continue;
      const spec = stmt.moduleSpecifier;
      if (spec === undefined || !ts.isStringLiteral(spec) || !spec.text.startsWith(".")) continue;
      const target = join(dirname(sf.fileName), spec.text);
      if (!target.startsWith(SRC)) continue;
      const layer = layerOf(target);
      if (!["kernel", "core", "errors.js"].includes(layer))
        found.push(`${relative(ROOT, sf.fileName)} imports ${spec.text}`);
    }
  }
  return found;
}

describe("layering", () => {
  const p = program();

  it("code outside src/kernel and src/core uses no kernel member marked @internal", () => {
    expect(internalUses(p)).toEqual([]);
  });

  it("the kernel and the core import nothing from the layers above them", () => {
    expect(upwardImports(p)).toEqual([]);
  });

  it("notices a use of an internal member (the check can fail)", () => {
    const probe = ts.createSourceFile(
      join(SRC, "sync", "probe.ts"),
      'import { Task } from "../kernel/task.js";\n' +
        "export const f = (t: Task) => t._peekOutcome();\n",
      ts.ScriptTarget.ES2022,
    );
    const host = ts.createCompilerHost(p.getCompilerOptions());
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, ...rest) =>
      name === probe.fileName ? probe : getSourceFile(name, ...rest);
    const withProbe = ts.createProgram(
      [...p.getRootFileNames(), probe.fileName],
      p.getCompilerOptions(),
      host,
    );
    expect(internalUses(withProbe)).toEqual(["src/sync/probe.ts:2 uses _peekOutcome"]);
  });
});
