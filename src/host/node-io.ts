// The Node built-ins of the streams layer (sockets, servers, subprocesses), in a leaf module
// that package.json maps as the internal import "#node-io": this file under the "node"
// condition, src/host/portable-io.ts elsewhere. Apart from "#node-host" (the async context
// and the executor's needs), so entries that never open a socket (spindle/greenlet) do not
// load node:net, node:tls and node:child_process.

export { connect as netConnect, createServer as createNetServer } from "node:net";
export { connect as tlsConnect, createServer as createTlsServer } from "node:tls";
export { spawn } from "node:child_process";
export { constants as osConstants } from "node:os";
