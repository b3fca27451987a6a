// "#node-host" where there is no Node (browsers, Web Workers, other embedders): the same
// names as src/host/node.ts. The async context carries the current task through the
// synchronous part of a call only (an async function's code up to its first await), and
// what only Node has — the executor's worker threads — throws a NodeOnlyError saying so.

import type * as NodeHost from "./node.js";

/** Something only Node (or Bun, or Deno) can do was asked for on another host. */
export class NodeOnlyError extends Error {
  override name = "NodeOnlyError";
}

function nodeOnly(what: string): never {
  throw new NodeOnlyError(
    `spindle: ${what} needs Node.js, Bun or Deno (worker threads): it is not available ` +
      "in a browser; see docs/embedding.md",
  );
}

/**
 * AsyncLocalStorage without async propagation: run() sets the store for the synchronous
 * extent of `fn` only. spindle's generators never need more; currentTask() after an
 * `await` in an async function does, and that works on Node, Bun and Deno only.
 */
export class AsyncLocalStorage<T> {
  private store: T | undefined = undefined;
  getStore(): T | undefined {
    return this.store;
  }
  run<R>(store: T, fn: () => R): R {
    const outer = this.store;
    this.store = store;
    try {
      return fn();
    } finally {
      this.store = outer;
    }
  }
}

export const createRequire: typeof NodeHost.createRequire = () =>
  nodeOnly("the executor (runInExecutor, toThread, ThreadPoolExecutor)");
export const availableParallelism: typeof NodeHost.availableParallelism = () =>
  nodeOnly("the executor (ThreadPoolExecutor)");
export const isAbsolute: typeof NodeHost.isAbsolute = (path) => path.startsWith("/");
export const pathToFileURL: typeof NodeHost.pathToFileURL = (path) =>
  new URL(`file://${encodeURI(path)}`);
export const HAS_NODE_BUILTINS: boolean = false;
