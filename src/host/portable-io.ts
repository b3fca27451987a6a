// "#node-io" where there is no Node (browsers, Web Workers): the names of
// src/host/node-io.ts. A browser has no sockets, servers or subprocesses: each throws a
// NodeOnlyError saying so. The OS constants are empty tables (errno names are then
// reported without a number).

import type * as NodeIo from "./node-io.js";
import { NodeOnlyError } from "./portable.js";

function nodeOnly(what: string): never {
  throw new NodeOnlyError(
    `spindle: ${what} needs Node.js, Bun or Deno: a browser has none; see docs/embedding.md`,
  );
}

export const netConnect: typeof NodeIo.netConnect = () => nodeOnly("a TCP connection");
export const tlsConnect: typeof NodeIo.tlsConnect = () => nodeOnly("a TLS connection");
export const createNetServer: typeof NodeIo.createNetServer = () => nodeOnly("a TCP server");
export const createTlsServer: typeof NodeIo.createTlsServer = () => nodeOnly("a TLS server");
export const spawn: typeof NodeIo.spawn = () => nodeOnly("a subprocess");
export const osConstants = { errno: {}, signals: {} } as unknown as typeof NodeIo.osConstants;
