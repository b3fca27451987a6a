// The constants shared by the WebAssembly core and the TypeScript host are defined once per
// side, each with a "must match" note (assembly/constants.ts, src/core/ts/constants.ts), and
// listed again in docs/abi.md. This test holds the three together, and checks the values
// the built module reports or shows through its behaviour.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as host from "../../src/core/ts/constants.js";
import { WASM_URL, WasmCore } from "../../src/core/index.js";

const root = new URL("../../", import.meta.url);

// @types/node 20 has no WebAssembly typings; this is the slice the test uses.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Parses every `export const NAME: type = value;` of assembly/constants.ts. A value is a
 * number literal or a small expression over earlier constants, such as `(1 << SLOT_BITS) - 1`:
 * names are substituted, and only digits, operators and parentheses may remain before the
 * expression is evaluated.
 */
function assemblyConstants(): Map<string, number> {
  const source = readFileSync(new URL("assembly/constants.ts", root), "utf8");
  const found = new Map<string, number>();
  const declaration = /^export const (\w+): (\w+) = ([^;]+);/gm;
  for (const [, name, type, expression] of source.matchAll(declaration)) {
    const substituted = expression!.replace(/\b[A-Za-z_]\w*\b/g, (word) => {
      const known = found.get(word);
      if (known === undefined) throw new Error(`${name}: unknown name ${word} in ${expression}`);
      return `(${known})`;
    });
    if (!/^[\s\d.eExa-fA-F()+\-*/<>|&~^]*$/.test(substituted)) {
      throw new Error(`${name}: not a simple numeric expression: ${expression}`);
    }
    const value = Function(`"use strict"; return (${substituted});`)() as number;
    // Wrap as the declared type would (0x1ff as u32 stays 511; 1 << 22 as i32, and so on).
    found.set(name!, wrap(value, type!));
  }
  return found;
}

function wrap(value: number, type: string): number {
  switch (type) {
    case "i32":
      return value | 0;
    case "u32":
      return value >>> 0;
    case "f64":
      return value;
    default:
      throw new Error(`constants of type ${type} are not expected in assembly/constants.ts`);
  }
}

/** The `| \`NAME\` | \`value\` | ... |` rows of the constants table in docs/abi.md. */
function documentedConstants(): Map<string, number> {
  const doc = readFileSync(new URL("docs/abi.md", root), "utf8");
  const found = new Map<string, number>();
  for (const [, name, value] of doc.matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\| `(-?[\d.e]+)` +\|/gm)) {
    found.set(name!, Number(value));
  }
  return found;
}

const hostConstants = new Map(
  Object.entries(host).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
);

describe("shared constants", () => {
  const wasmSide = assemblyConstants();

  test("assembly/constants.ts declares every constant in simple, parseable form", () => {
    expect(wasmSide.size).toBeGreaterThanOrEqual(48);
    expect(wasmSide.get("SLOT_MASK")).toBe(0x3fffff);
    expect(wasmSide.get("MAX_DEADLINE")).toBe(8.64e15);
  });

  test("both sides define the same constants", () => {
    expect([...hostConstants.keys()].sort()).toEqual([...wasmSide.keys()].sort());
  });

  test.each([...wasmSide.keys()])("%s has the same value on both sides", (name) => {
    expect(hostConstants.get(name)).toBe(wasmSide.get(name));
  });

  test("docs/abi.md lists every constant with the same value", () => {
    expect(Object.fromEntries(documentedConstants())).toEqual(Object.fromEntries(wasmSide));
  });
});

describe("the built module", () => {
  test("reports the ABI version and batch capacity of the sources", () => {
    const bytes = readFileSync(WASM_URL);
    const instance = new WA.Instance(new WA.Module(bytes), {});
    const x = instance.exports as unknown as { abiVersion(): number; batchCapacity(): number };
    expect(x.abiVersion()).toBe(host.ABI_VERSION);
    expect(x.batchCapacity()).toBe(host.BATCH_CAPACITY);
  });

  test("behaves by the error codes, id layout and clamp of the sources", () => {
    // Constants the module does not export, observed through what it does.
    const core = new WasmCore();
    expect(core.nextReady()).toBe(host.NONE);
    const id = core.spawn();
    expect(core.sleepUntil(id, NaN)).toBe(host.ERR_DEADLINE);
    expect(core.advance(NaN)).toBe(host.ERR_DEADLINE);
    expect(core.timerDeadline(core.sleepUntil(id, Infinity))).toBe(host.MAX_DEADLINE);
    core.ready(id);
    expect(core.taskState(id)).toBe(host.TASK_LIVE | host.TASK_QUEUED);
    core.release(id);
    expect(core.sleepUntil(id, 1)).toBe(host.ERR_STALE);
    // Releasing the same slot GEN_MASK + 1 times brings its generation back to 0.
    let reused = core.spawn();
    expect(reused).toBe((1 << host.SLOT_BITS) | id);
    for (let i = 0; i < host.GEN_MASK; i++) {
      core.release(reused);
      reused = core.spawn();
    }
    expect(reused).toBe(id);
    const cap = core.batchCapacity;
    const ids = Array.from({ length: cap + 1 }, () => core.spawn());
    for (const t of ids) core.ready(t);
    expect(core.drain(cap + 1)).toBe(host.BATCH_CAPACITY);
    // Tokens: TOKEN_MAX is one, NONE is not.
    expect(core.ready(host.TOKEN_MAX)).toBe(true);
    expect(core.ready(host.TOKEN_MAX + 1)).toBe(false);
  });

  test("lays out the control block and the shared tables as the constants say", () => {
    const core = new WasmCore();
    const x = core.exports;
    const words = (): Int32Array =>
      new Int32Array(x.memory.buffer, x.control(), host.CONTROL_WORDS);
    let c = words();
    expect(c[host.CTL_TIMER_CAP]).toBe(host.INITIAL_TIMERS);
    expect(c[host.CTL_FREE_COUNT]).toBe(host.INITIAL_TIMERS);
    expect(c[host.CTL_RING_MASK]).toBe(host.INITIAL_READY - 1);
    expect(new Float64Array(x.memory.buffer, x.control(), 11)[host.CTL_NEXT >> 1]).toBe(Infinity);
    // A task record: gen, flags, switches, wakeups, TASK_WORDS i32s from CTL_TASKS.
    const id = core.spawn();
    core.ready(id);
    core.recordSwitch(id);
    c = words();
    expect(c[host.CTL_TASK_HIGH]).toBe(1);
    expect(c[host.CTL_TASK_COUNT]).toBe(1);
    const task = new Int32Array(x.memory.buffer, c[host.CTL_TASKS]!, host.TASK_WORDS);
    expect(task[host.TASK_GEN]).toBe(0);
    expect(task[host.TASK_FLAGS]).toBe(host.TASK_LIVE | host.TASK_QUEUED);
    expect(task[host.TASK_SWITCHES]).toBe(1);
    expect(task[host.TASK_WAKEUPS]).toBe(1);
    expect(c[host.CTL_TAIL]! - c[host.CTL_HEAD]!).toBe(1);
    expect(new Int32Array(x.memory.buffer, c[host.CTL_RING]!, 1)[0]).toBe(id);
    // A call-made arm lands in the pending buffer and the timer tables.
    const handle = x.arm(-5, 42.5);
    c = words();
    const slot = handle & host.SLOT_MASK;
    expect(c[host.CTL_PENDING_LEN]).toBe(1);
    expect(c[host.CTL_ARMED]).toBe(1);
    const entry = new Int32Array(x.memory.buffer, c[host.CTL_PENDING]!, host.PENDING_WORDS);
    expect(new Float64Array(entry.buffer, entry.byteOffset, 1)[0]).toBe(42.5);
    expect(entry[host.PENDING_SLOT]).toBe(slot);
    expect(entry[host.PENDING_TARGET]).toBe(-5);
    expect(new Int32Array(x.memory.buffer, c[host.CTL_TIMER_GENS]!, 1024)[slot]).toBe(
      handle >>> host.SLOT_BITS,
    );
    expect(new Float64Array(x.memory.buffer, c[host.CTL_TIMER_DEADLINES]!, 1024)[slot]).toBe(42.5);
    const bit = 1 << (slot & 31);
    expect(new Int32Array(x.memory.buffer, c[host.CTL_TIMER_ARMED]!, 32)[slot >> 5]! & bit).toBe(
      bit,
    );
    expect(new Int32Array(x.memory.buffer, c[host.CTL_TIMER_FREE]!, 32)[slot >> 5]! & bit).toBe(0);
    // PENDING_CAPACITY arms fit before the core must take them in.
    for (let i = 1; i < host.PENDING_CAPACITY; i++) x.arm(-5, 50);
    expect(words()[host.CTL_PENDING_LEN]).toBe(host.PENDING_CAPACITY);
    x.arm(-5, 50);
    expect(words()[host.CTL_PENDING_LEN]).toBe(1);
    // Moving a table moves the epoch on.
    const epoch = words()[host.CTL_EPOCH]!;
    for (let i = 0; i < host.INITIAL_TASKS; i++) core.spawn();
    expect(words()[host.CTL_EPOCH]).toBeGreaterThan(epoch);
  });
});
