// A stand-in for the slice of vitest that the conformance subset uses (describe/it/test with
// .each, expect with the matchers those files call), so the same test files run unchanged on
// Deno (through an import map: test/portable/deno-import-map.json) and Bun. vitest itself
// does not run there; this is a runner of 150 lines, not a port of it.
//
// Tests register at import time; run() (called by test/portable/conformance.ts) runs them in
// order and returns the failures. Only what the subset needs is here: an unknown matcher is a
// TypeError, so a test file that grows a new one fails loudly instead of passing.

import { isDeepStrictEqual, inspect } from "node:util";

type Body = () => unknown;
interface Case {
  name: string;
  body: Body;
}

const cases: Case[] = [];
const prefix: string[] = [];

function format(title: string, value: unknown): string {
  return title.replace("%s", String(value)).replace("%i", String(value));
}

function describeImpl(name: string, body: () => void): void {
  prefix.push(name);
  try {
    body();
  } finally {
    prefix.pop();
  }
}

function itImpl(name: string, body: Body): void {
  cases.push({ name: [...prefix, name].join(" > "), body });
}

type Each<F> = (values: readonly unknown[]) => F;
function eachOf<T extends (name: string, body: never) => void>(fn: T): Each<T> {
  return (values) =>
    ((name: string, body: (...args: unknown[]) => unknown) => {
      for (const v of values) {
        const args = Array.isArray(v) ? v : [v];
        fn(format(name, args[0]), (() => body(...args)) as never);
      }
    }) as unknown as T;
}

export const describe = Object.assign(describeImpl, {
  each: eachOf(describeImpl),
  skip: (_name: string, _body: () => void): void => {},
});
export const it = Object.assign(itImpl, {
  each: eachOf(itImpl),
  skip: (_name: string, _body: Body): void => {},
});
export const test = it;

function loose(a: unknown, b: unknown): boolean {
  // vitest's toEqual: recursive equality that ignores undefined properties.
  if (isDeepStrictEqual(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    loose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

function matches(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== "object" || expected === null) return loose(actual, expected);
  if (typeof actual !== "object" || actual === null) return false;
  return Object.entries(expected).every(([k, v]) =>
    matches((actual as Record<string, unknown>)[k], v),
  );
}

function thrownMatches(error: unknown, expected: unknown): boolean {
  if (expected === undefined) return true;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof expected === "string") return message.includes(expected);
  if (expected instanceof RegExp) return expected.test(message);
  if (typeof expected === "function") return error instanceof expected;
  return false;
}

type Matchers = Record<string, (...args: unknown[]) => unknown>;

function matchers(actual: unknown, negate: boolean): Matchers {
  const check = (ok: boolean, what: string, expected?: unknown): void => {
    if (ok === negate)
      throw new Error(
        `expected ${inspect(actual, { depth: 4 })} ${negate ? "not " : ""}${what}` +
          (expected === undefined ? "" : ` ${inspect(expected, { depth: 4 })}`),
      );
  };
  const caught = (): { threw: boolean; error: unknown } => {
    try {
      (actual as () => unknown)();
      return { threw: false, error: undefined };
    } catch (error) {
      return { threw: true, error };
    }
  };
  return {
    toBe: (e) => check(Object.is(actual, e), "to be", e),
    toEqual: (e) => check(loose(actual, e), "to equal", e),
    toStrictEqual: (e) => check(isDeepStrictEqual(actual, e), "to strictly equal", e),
    toMatchObject: (e) => check(matches(actual, e), "to match", e),
    toBeInstanceOf: (c) => check(actual instanceof (c as new () => unknown), "to be a", c),
    toContain: (e) =>
      check((actual as { includes(x: unknown): boolean }).includes(e), "to contain", e),
    toMatch: (e) =>
      check(
        e instanceof RegExp ? e.test(String(actual)) : String(actual).includes(String(e)),
        "to match",
        e,
      ),
    toBeNull: () => check(actual === null, "to be null"),
    toBeUndefined: () => check(actual === undefined, "to be undefined"),
    toBeDefined: () => check(actual !== undefined, "to be defined"),
    toBeTruthy: () => check(Boolean(actual), "to be truthy"),
    toBeFalsy: () => check(!actual, "to be falsy"),
    toBeNaN: () => check(Number.isNaN(actual), "to be NaN"),
    toBeGreaterThan: (e) => check((actual as number) > (e as number), ">", e),
    toBeGreaterThanOrEqual: (e) => check((actual as number) >= (e as number), ">=", e),
    toBeLessThan: (e) => check((actual as number) < (e as number), "<", e),
    toBeLessThanOrEqual: (e) => check((actual as number) <= (e as number), "<=", e),
    toHaveLength: (n) => check((actual as { length: number }).length === n, "to have length", n),
    toThrow: (e) => {
      const { threw, error } = caught();
      check(threw && thrownMatches(error, e), "to throw", e);
    },
  };
}

function strict(m: Matchers): Matchers {
  return new Proxy(m, {
    get(target, key) {
      if (typeof key === "string" && !(key in target))
        throw new TypeError(
          `vitest-shim: no matcher ${key} (add it to test/portable/vitest-shim.ts)`,
        );
      return target[key as string];
    },
  });
}

function settled(actual: unknown, rejects: boolean, negate: boolean): Matchers {
  const base = matchers(undefined, negate);
  const out: Matchers = {};
  for (const key of Object.keys(base))
    out[key] = async (...args: unknown[]) => {
      let value: unknown;
      let rejected = false;
      try {
        value = await (actual as PromiseLike<unknown>);
      } catch (error) {
        value = error;
        rejected = true;
      }
      if (rejected !== rejects)
        throw new Error(
          `expected the promise to ${rejects ? "reject" : "resolve"}: ${inspect(value)}`,
        );
      const target =
        key === "toThrow"
          ? () => {
              throw value;
            }
          : value;
      return matchers(target, negate)[key]!(...args);
    };
  return strict(out);
}

export function expect(actual: unknown, _message?: string) {
  const m = matchers(actual, false) as Matchers & {
    not: Matchers;
    rejects: Matchers;
    resolves: Matchers;
  };
  return Object.assign(strict(m), {
    not: strict(matchers(actual, true)),
    rejects: settled(actual, true, false),
    resolves: settled(actual, false, false),
  }) as unknown as ReturnType<typeof import("vitest").expect>;
}

/** Runs every registered test in order; returns the names and errors of those that failed. */
export async function run(
  log: (line: string) => void,
): Promise<{ passed: number; failed: Array<{ name: string; error: string }> }> {
  const failed: Array<{ name: string; error: string }> = [];
  let passed = 0;
  for (const c of cases.splice(0)) {
    try {
      await c.body();
      passed++;
    } catch (error) {
      failed.push({
        name: c.name,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      log(`FAIL ${c.name}`);
    }
  }
  return { passed, failed };
}
