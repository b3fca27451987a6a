// The Node built-ins of the streams layer (sockets, servers, subprocesses), in a leaf module
// that package.json maps as the internal import "#node-io": this file under the "node"
// condition, src/host/portable-io.ts elsewhere. Apart from "#node-host" (the async context
// and the executor's needs), so entries that never open a socket (spindle/greenlet) do not
// load node:net, node:tls and node:child_process.
//
// Loaded on first use. The root entry exports the streams, so a static import here made
// every `import "spindle"` load node:net, node:tls (its root certificates) and
// node:child_process: ~12 of the ~30 ms the import took, measured, for programs that never
// open a socket. node:os is loaded by the kernel anyway (the executor's pool size).

import type * as ChildProcess from "node:child_process";
import { createRequire } from "node:module";
import type * as Net from "node:net";
import type * as Tls from "node:tls";

export { constants as osConstants } from "node:os";

const load = createRequire(import.meta.url);

/** A built-in module, required the first time it is asked for. */
function lazy<M>(name: string): () => M {
  let module: M | undefined;
  return () => (module ??= load(name) as M);
}
const netModule = lazy<typeof Net>("node:net");
const tlsModule = lazy<typeof Tls>("node:tls");
const childProcessModule = lazy<typeof ChildProcess>("node:child_process");

type Loose = (...args: unknown[]) => unknown;

export const netConnect = ((...args: unknown[]) =>
  (netModule().connect as Loose)(...args)) as typeof Net.connect;
export const createNetServer = ((...args: unknown[]) =>
  (netModule().createServer as Loose)(...args)) as typeof Net.createServer;
export const tlsConnect = ((...args: unknown[]) =>
  (tlsModule().connect as Loose)(...args)) as typeof Tls.connect;
export const createTlsServer = ((...args: unknown[]) =>
  (tlsModule().createServer as Loose)(...args)) as typeof Tls.createServer;
export const spawn = ((...args: unknown[]) =>
  (childProcessModule().spawn as Loose)(...args)) as typeof ChildProcess.spawn;
