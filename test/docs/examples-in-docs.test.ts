// Every value the package exports carries a doc comment with an @example (issue: "doc
// comments with a short example on every export"), checked through the TypeScript
// compiler's view of src/index.ts and src/core/index.ts, so a new export without one fails.

import { describe, expect, it } from "vitest";
import ts from "typescript";
import { fileURLToPath } from "node:url";

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

describe("doc comments", () => {
  it("give every value exported from spindle an @example", () => {
    expect(undocumented("../../src/index.ts")).toEqual([]);
  });
  it("give every value exported from spindle/core an @example", () => {
    expect(undocumented("../../src/core/index.ts")).toEqual([]);
  });
});
