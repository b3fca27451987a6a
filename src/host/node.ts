// What spindle takes from Node's built-in modules, in one leaf module that package.json maps
// as the internal import "#node-host": this file under the "node" condition (Node, Bun and
// Deno all match it), src/host/portable.ts for browsers and anything else. Nothing else in
// src/ imports a node: module, so a browser bundle of the root entry, spindle/core and
// spindle/greenlet needs no shim.
//
// A leaf on purpose: it imports nothing of spindle, so a second copy of it (a tool that
// resolves "#node-host" to dist/ while running src/) holds no state that matters.

export { AsyncLocalStorage } from "node:async_hooks";
export { createRequire } from "node:module";
export { availableParallelism } from "node:os";
export { isAbsolute } from "node:path";
export { pathToFileURL } from "node:url";

/** True in this file; false in the portable one: the host has Node's built-in modules. */
export const HAS_NODE_BUILTINS: boolean = true;
