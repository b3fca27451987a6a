// Shared helpers for the stream tests: fd counting and small loops.

import { readdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "../../src/index.js";

export type CoreName = "wasm" | "ts";
export const CORES = ["wasm", "ts"] as const;

/** Open file descriptors of this process (Linux: /proc/self/fd). */
export function fdCount(): number {
  return readdirSync("/proc/self/fd").length;
}

/** The port a server listens on. */
export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Waits (real time) until `cond()` or `ms` passed; for fd counts that settle after close. */
export async function settle(cond: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
