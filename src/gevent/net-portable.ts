// "#gevent-net" where there is no Node (browsers, Web Workers): the same names as
// net-node.ts, throwing NodeOnlyError — sockets need Node.js, Bun or Deno.

import { NodeOnlyError } from "../host/portable.js";
import type * as Net from "./net-node.js";

function nodeOnly(what: string): never {
  throw new NodeOnlyError(
    `spindle/gevent: ${what} needs Node.js, Bun or Deno (sockets): it is not available in ` +
      "a browser; see docs/embedding.md",
  );
}

export const startServer: typeof Net.startServer = () => nodeOnly("StreamServer");
export const openConnection: typeof Net.openConnection = () => nodeOnly("createConnection");
