// src/streams/workers.ts for browser bundles: package.json's "browser" field maps
// dist/streams/workers.js here, because workers.ts imports spindle/cluster (node:cluster)
// on first use through literal dynamic imports, which bundlers follow. A browser has no
// worker processes: serving on workers throws a NodeOnlyError.

import type * as Workers from "../streams/workers.js";
import { NodeOnlyError } from "./portable.js";

export const serveOnWorkers: typeof Workers.serveOnWorkers = () => {
  throw new NodeOnlyError(
    "spindle: serving on worker processes (startServer's `workers`) needs Node.js: a " +
      "browser has none; see docs/embedding.md",
  );
};
