// The ABI as an embedder meets it: build/spindle.wasm driven through plain
// WebAssembly.instantiate(bytes, {}), with no TypeScript wrapper, exactly as docs/abi.md
// says. The doc's export table is checked against the module, and the doc's example is run
// as written and must print the output the doc shows.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";

const root = new URL("../../", import.meta.url);
const doc = readFileSync(new URL("docs/abi.md", root), "utf8");
const bytes = readFileSync(new URL("build/spindle.wasm", root));

// @types/node 20 has no WebAssembly typings; this is the slice an embedder uses.
interface Descriptor {
  name: string;
  kind: string;
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ module: object; instance: Instance }>;
  Module: { imports(m: object): Descriptor[]; exports(m: object): Descriptor[] };
}
interface Instance {
  exports: Exports;
}
interface Exports {
  memory: { buffer: ArrayBuffer };
  [name: string]: ((...args: number[]) => number) | { buffer: ArrayBuffer };
}
/** The exports as docs/abi.md lists them (booleans are i32 0/1). */
interface Core {
  memory: { buffer: ArrayBuffer };
  abiVersion(): number;
  init(): void;
  control(): number;
  batchCapacity(): number;
  batchOut(): number;
  batchIn(): number;
  batchDeadlines(): number;
  spawn(): number;
  release(id: number): number;
  isLive(id: number): number;
  taskState(id: number): number;
  switches(id: number): number;
  wakeups(id: number): number;
  recordSwitch(id: number): number;
  taskCount(): number;
  ready(id: number): number;
  nextReady(): number;
  readyLength(): number;
  drain(max: number): number;
  readyBatch(n: number): number;
  arm(target: number, deadline: number): number;
  disarm(handle: number): number;
  sleepUntil(id: number, deadline: number): number;
  armBatch(n: number): number;
  disarmBatch(n: number): number;
  sync(): void;
  timerDeadline(handle: number): number;
  advance(now: number): number;
  nextDeadline(): number;
  timerCount(): number;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

async function instantiate(): Promise<Core> {
  const { instance } = await WA.instantiate(bytes, {});
  return instance.exports as unknown as Core;
}

/** The fenced block that follows an HTML comment marker in docs/abi.md. */
function block(marker: string): string {
  const at = doc.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`docs/abi.md has no <!-- ${marker} --> marker`);
  const match = /```\w*\n([\s\S]*?)\n```/.exec(doc.slice(at));
  if (match === null) throw new Error(`no code block after <!-- ${marker} -->`);
  return match[1]!;
}

/** The rows of the export table: name, kind and parameter count. */
function documentedExports(): { name: string; kind: string; params: number }[] {
  const rows = doc.matchAll(/^\| `(\w+)` +\| (memory|`\(([^)]*)\) -> [^`]+`) +\|/gm);
  return [...rows].map(([, name, signature, params]) => ({
    name: name!,
    kind: signature === "memory" ? "memory" : "function",
    params: params === undefined || params.trim() === "" ? 0 : params.split(",").length,
  }));
}

describe("spindle.wasm through the plain WebAssembly API", () => {
  test("instantiates with an empty import object: the module imports nothing", async () => {
    const { module } = await WA.instantiate(bytes, {});
    expect(WA.Module.imports(module)).toEqual([]);
  });

  test("exports exactly what the doc's table lists, with the documented arity", async () => {
    const { module, instance } = await WA.instantiate(bytes, {});
    const documented = documentedExports();
    expect(documented.length).toBeGreaterThanOrEqual(32);
    const actual = WA.Module.exports(module).map(({ name, kind }) => ({ name, kind }));
    expect(actual.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      documented
        .map(({ name, kind }) => ({ name, kind }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    for (const { name, kind, params } of documented) {
      if (kind !== "function") continue;
      // An exported wasm function's length is its parameter count.
      expect((instance.exports[name] as (...args: number[]) => number).length, name).toBe(params);
    }
  });

  test("abiVersion is 2 before and after init, and init is idempotent", async () => {
    const core = await instantiate();
    expect(core.abiVersion()).toBe(2);
    core.init();
    const out = core.batchOut();
    const inb = core.batchIn();
    const control = core.control();
    core.init();
    expect(core.batchOut()).toBe(out);
    expect(core.batchIn()).toBe(inb);
    expect(core.control()).toBe(control);
    expect(core.abiVersion()).toBe(2);
    expect(core.batchCapacity()).toBe(1024);
    expect(out % 4).toBe(0);
    expect(Math.abs(inb - out)).toBeGreaterThanOrEqual(1024 * 4);
  });

  test("spawn, ready through the IN buffer and readyBatch, drain through the OUT buffer", async () => {
    const core = await instantiate();
    core.init();
    const cap = core.batchCapacity();
    const ids = [core.spawn(), core.spawn(), core.spawn()];
    expect(core.taskCount()).toBe(3);
    let inb = new Int32Array(core.memory.buffer, core.batchIn(), cap);
    inb.set([ids[2]!, ids[0]!, ids[2]!, ids[1]!]);
    expect(core.readyBatch(4)).toBe(3); // the second ids[2] is already queued
    expect(core.readyLength()).toBe(3);
    expect(core.taskState(ids[0]!)).toBe(1 | 2);
    expect(core.drain(cap)).toBe(3);
    let out = new Int32Array(core.memory.buffer, core.batchOut(), cap);
    expect(Array.from(out.subarray(0, 3))).toEqual([ids[2], ids[0], ids[1]]);
    expect(core.switches(ids[0]!)).toBe(1);
    expect(core.wakeups(ids[0]!)).toBe(1);
    expect(core.recordSwitch(ids[0]!)).toBe(1);
    expect(core.switches(ids[0]!)).toBe(2);
    expect(core.ready(ids[1]!)).toBe(1);
    expect(core.ready(ids[1]!)).toBe(0);
    expect(core.nextReady()).toBe(ids[1]);
    expect(core.nextReady()).toBe(-1);

    // Release: the id is stale everywhere.
    expect(core.release(ids[1]!)).toBe(1);
    expect(core.release(ids[1]!)).toBe(0);
    expect(core.isLive(ids[1]!)).toBe(0);
    expect(core.taskState(ids[1]!)).toBe(0);
    expect(core.switches(ids[1]!)).toBe(-1);
    expect(core.wakeups(ids[1]!)).toBe(-1);
    expect(core.recordSwitch(ids[1]!)).toBe(0);
    expect(core.sleepUntil(ids[1]!, 5)).toBe(-1); // ERR_STALE
    expect(core.taskCount()).toBe(2);

    // Views made now are still valid: nothing above grew the memory.
    inb = new Int32Array(core.memory.buffer, core.batchIn(), cap);
    out = new Int32Array(core.memory.buffer, core.batchOut(), cap);
    inb[0] = ids[0]!;
    expect(core.readyBatch(1)).toBe(1);
    expect(core.drain(1)).toBe(1);
    expect(out[0]).toBe(ids[0]);
  });

  test("sleepUntil, nextDeadline and advance move due tasks into the ready queue", async () => {
    const x = await instantiate();
    x.init();
    const [a, b, c] = [x.spawn(), x.spawn(), x.spawn()] as [number, number, number];
    expect(x.nextDeadline()).toBe(Infinity);
    const ha = x.sleepUntil(a, 20);
    const hb = x.sleepUntil(b, 10);
    const hc = x.sleepUntil(c, 10);
    expect(x.timerCount()).toBe(3);
    expect(x.nextDeadline()).toBe(10);
    expect(x.timerDeadline(ha)).toBe(20);
    expect(x.sleepUntil(a, NaN)).toBe(-2); // ERR_DEADLINE
    expect(x.advance(NaN)).toBe(-2);
    expect(x.timerDeadline(x.sleepUntil(a, Infinity))).toBe(8.64e15); // clamped
    expect(x.advance(9)).toBe(0);
    expect(x.advance(10)).toBe(2);
    expect(x.disarm(hb)).toBe(0); // already fired
    expect(x.timerDeadline(hc)).toBeNaN();
    expect(x.nextReady()).toBe(b);
    expect(x.nextReady()).toBe(c);
    expect(x.disarm(ha)).toBe(1);
    expect(x.disarm(ha)).toBe(0);
    expect(x.timerCount()).toBe(1);
    expect(x.advance(Infinity)).toBe(1);
    expect(x.nextReady()).toBe(a);
    expect(x.nextDeadline()).toBe(Infinity);
  });

  test("batch addresses are fixed, but memory.grow detaches views made before it", async () => {
    const x = await instantiate();
    x.init();
    const cap = x.batchCapacity();
    const before = x.memory.buffer;
    const out = new Int32Array(before, x.batchOut(), cap);
    const inAddress = x.batchIn();
    const ids: number[] = [];
    for (let i = 0; i < 100_000; i++) ids.push(x.spawn());
    expect(x.memory.buffer).not.toBe(before);
    expect(out.length).toBe(0); // detached: re-create views on the new buffer
    expect(x.batchIn()).toBe(inAddress);
    const inb = new Int32Array(x.memory.buffer, x.batchIn(), cap);
    inb.set([ids[99_999]!, ids[0]!]);
    expect(x.readyBatch(2)).toBe(2);
    expect(x.drain(2)).toBe(2);
    const fresh = new Int32Array(x.memory.buffer, x.batchOut(), cap);
    expect(Array.from(fresh.subarray(0, 2))).toEqual([ids[99_999], ids[0]]);
  });

  test.each(["abi-example", "abi-shared-example"])(
    "the example %s in docs/abi.md runs as written and prints what the doc shows",
    async (marker) => {
      const printed: string[] = [];
      const console = { log: (...args: unknown[]) => printed.push(args.join(" ")) };
      const AsyncFunction = (async () => {}).constructor as new (
        ...params: string[]
      ) => (...args: unknown[]) => Promise<void>;
      const example = new AsyncFunction("bytes", "console", block(marker));
      await example(bytes, console);
      expect(printed.join("\n")).toBe(block(`${marker}-output`));
    },
  );

  test("tokens go through ready, drain and timers as they are", async () => {
    const x = await instantiate();
    x.init();
    const id = x.spawn();
    expect(x.ready(-2)).toBe(1);
    expect(x.ready(-2)).toBe(1);
    expect(x.ready(id)).toBe(1);
    expect(x.ready(-1)).toBe(0); // NONE
    expect(x.arm(-9, 5)).toBeGreaterThanOrEqual(0);
    expect(x.arm(-1, 5)).toBe(-1); // ERR_STALE
    expect(x.advance(5)).toBe(1);
    expect(x.drain(10)).toBe(4);
    const out = new Int32Array(x.memory.buffer, x.batchOut(), 4);
    expect(Array.from(out)).toEqual([-2, -2, id, -9]);
    expect(x.switches(id)).toBe(1);
  });

  test("armBatch and disarmBatch arm and cancel a batch in one call each", async () => {
    const x = await instantiate();
    x.init();
    const cap = x.batchCapacity();
    const ids = Array.from({ length: 5 }, () => x.spawn());
    new Int32Array(x.memory.buffer, x.batchIn(), cap).set([...ids, -3]);
    new Float64Array(x.memory.buffer, x.batchDeadlines(), cap).set([5, 4, 3, 2, 1, NaN]);
    expect(x.armBatch(6)).toBe(5);
    const handles = Array.from(new Int32Array(x.memory.buffer, x.batchOut(), 6));
    expect(handles[5]).toBe(-2); // ERR_DEADLINE
    expect(x.timerCount()).toBe(5);
    new Int32Array(x.memory.buffer, x.batchIn(), cap).set([handles[1]!, handles[3]!, handles[1]!]);
    expect(x.disarmBatch(3)).toBe(2);
    expect(x.timerCount()).toBe(3);
    expect(x.nextDeadline()).toBe(1);
    expect(x.advance(10)).toBe(3);
    expect(x.drain(10)).toBe(3);
    const out = Array.from(new Int32Array(x.memory.buffer, x.batchOut(), 3));
    expect(out).toEqual([ids[4], ids[2], ids[0]]);
  });
});
