// The default order of a PriorityQueue: Python's `<` on the keys people actually use.
//
//   numbers, bigints  by value (mixed freely, as JS's `<`); NaN has no place → TypeError
//   strings           by UTF-16 code units (JS's `<`; Python compares code points)
//   booleans          false < true
//   Dates             by time
//   arrays            lexicographically, like Python tuples: the first unequal element
//                     decides; a proper prefix comes first. `[priority, data]` works.
//
// Values that are `===` compare equal whatever they are (Python's identity shortcut), so a
// tie on `[priority, sameObject]` is fine. Anything else — two distinct objects, a number
// against a string — cannot be ordered, and the comparison throws a TypeError naming both,
// as Python's does. Equal keys keep their insertion order: the heap breaks ties by sequence.
//
// Cost: O(1) for scalars, O(length) for arrays.

import { describe } from "../errors.js";

/**
 * Compares two priority-queue items the way Python compares tuples; negative, 0 or
 * positive. Throws TypeError for values it cannot order.
 *
 * @example
 * ```ts
 * defaultOrder([1, "b"], [1, "a"]); // 1
 * defaultOrder([0], [0, "x"]);      // -1 (a prefix comes first)
 * ```
 */
export function defaultOrder(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === "number" || ta === "bigint") && (tb === "number" || tb === "bigint"))
    return compareNumbers(a as number | bigint, b as number | bigint);
  if (ta === "string" && tb === "string") return (a as string) < (b as string) ? -1 : 1;
  if (ta === "boolean" && tb === "boolean") return a ? 1 : -1;
  if (a instanceof Date && b instanceof Date) return compareNumbers(a.getTime(), b.getTime());
  if (Array.isArray(a) && Array.isArray(b)) return compareArrays(a, b);
  throw new TypeError(
    `spindle: PriorityQueue cannot order ${describe(a)} against ${describe(b)}. ` +
      "Keys it orders: numbers, strings, booleans, Dates and arrays of them ([priority, data] " +
      "works while priorities differ, or when data is the same value). Pass " +
      "{ compare: (x, y) => x[0] - y[0] } to order by priority alone; equal keys stay FIFO.",
  );
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (Number.isNaN(a) || Number.isNaN(b))
    throw new TypeError("spindle: PriorityQueue cannot order NaN");
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareArrays(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = defaultOrder(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
