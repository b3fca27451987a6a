// Child process of the cold-start shape (9): imports one implementation, runs its first
// task (one turn, then return), and prints one JSON line of timestamps, in ms since the
// process started (performance.timeOrigin).
//
//   node <compiled>/bench/cold-start-child.js <impl> [<file URL of spindle's entry>]
//
// Run compiled (see bench/compiled.ts) by bench/cold-start.ts, many fresh processes per
// implementation. The import is dynamic, after the first timestamp, so `imported - started`
// is the cost of loading the library (and, for spindle-wasm, nothing more: the WebAssembly
// module is compiled when the first loop is made, which `firstTask` includes).

/** What the child prints. */
export interface ColdStartReport {
  impl: string;
  /** Node's own start-up: when this script's first line ran. */
  started: number;
  /** The library is imported. */
  imported: number;
  /** The first task has completed (its result is `result`). */
  firstTask: number;
  result: number;
}

const started = performance.now();
const impl = process.argv[2] ?? "";

async function first(): Promise<[number, number]> {
  switch (impl) {
    case "spindle-wasm":
    case "spindle-ts": {
      // What `import "spindle"` loads on Node (the package's bundle, dist/node/index.js),
      // named by the parent; the compiled tree's own modules when run alone.
      const entry = process.argv[3];
      const { run } = (await import(
        entry ?? "../src/index.js"
      )) as typeof import("../src/index.js");
      const imported = performance.now();
      const result = await run(
        function* () {
          yield;
          return 1;
        },
        { core: impl === "spindle-wasm" ? "wasm" : "ts" },
      );
      return [imported, result];
    }
    case "native": {
      const imported = performance.now();
      const result = await (async () => {
        await null;
        return 1;
      })();
      return [imported, result];
    }
    case "effection": {
      const { run, action } = await import("effection");
      const imported = performance.now();
      const result = await run(function* () {
        yield* action<void>((resolve) => {
          queueMicrotask(() => resolve());
          return () => {};
        });
        return 1;
      });
      return [imported, result];
    }
    case "effect": {
      const { Effect } = await import("effect");
      const imported = performance.now();
      const result = await Effect.runPromise(
        Effect.gen(function* () {
          yield* Effect.yieldNow;
          return 1;
        }),
      );
      return [imported, result];
    }
    default:
      throw new Error(`cold-start-child: unknown implementation ${impl}`);
  }
}

const [imported, result] = await first();
const report: ColdStartReport = { impl, started, imported, firstTask: performance.now(), result };
process.stdout.write(`${JSON.stringify(report)}\n`);
