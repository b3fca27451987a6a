// Shared by the sync tests: a few small operations for traces.

import type { Instruction } from "../../src/index.js";

/** Gives the turn `n` times (lets every other ready task run `n` steps). */
export function* turns(n: number): Generator<Instruction | undefined, void, unknown> {
  for (let i = 0; i < n; i++) yield;
}

/** The name of an error's class, for traces. */
export function errName(e: unknown): string {
  return e instanceof Error ? e.name : String(e);
}
