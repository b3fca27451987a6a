// Cancelling a task parked in a read leaves the stream consistent: property-tested against
// a plain byte array. The input arrives in random chunks (a feeder task, paused by the
// reader's backpressure as a socket would be); a consumer runs random reads, each in its
// own task that may be cancelled after a random number of turns — before its data came, or
// after its wake-up and before it ran. Every byte a read returns must be the next byte of
// the input (the model's position), none skipped and none twice; what readline discards
// past the limit, the model discards too; read() to EOF at the end takes exactly the rest.

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  Event,
  IncompleteReadError,
  LimitOverrunError,
  StreamReader,
  createTask,
  run,
  type Operation,
} from "../../src/index.js";
import { CORES } from "./helpers.js";

type Op =
  | { kind: "read"; n: number; cancelAfter: number }
  | { kind: "readline"; cancelAfter: number }
  | { kind: "readexactly"; n: number; cancelAfter: number }
  | { kind: "readuntil"; sep: string; cancelAfter: number };

// cancelAfter: turns before cancel() (-1: never cancelled).
const cancelAfter = fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 6 }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("read" as const),
    n: fc.integer({ min: 0, max: 40 }),
    cancelAfter,
  }),
  fc.record({ kind: fc.constant("read" as const), n: fc.constant(-1), cancelAfter }), // to EOF
  fc.record({ kind: fc.constant("readline" as const), cancelAfter }),
  fc.record({
    kind: fc.constant("readexactly" as const),
    n: fc.integer({ min: 0, max: 40 }),
    cancelAfter,
  }),
  fc.record({
    kind: fc.constant("readuntil" as const),
    sep: fc.constantFrom("\n", "ab", "xyz"),
    cancelAfter,
  }),
);
// Bytes from a small alphabet so separators occur.
const inputArb = fc
  .array(fc.constantFrom(..."abxyz\n01"), { maxLength: 300 })
  .map((cs) => Buffer.from(cs.join("")));

interface Case {
  input: Buffer;
  cuts: number[]; // chunk sizes
  gaps: number[]; // turns between chunks
  limit: number;
  ops: Op[];
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  input: inputArb,
  cuts: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 40 }),
  gaps: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 40 }),
  limit: fc.constantFrom(3, 8, 25, 1000),
  ops: fc.array(opArb, { maxLength: 30 }),
});

function operation(r: StreamReader, op: Op): Operation<Buffer> {
  switch (op.kind) {
    case "read":
      return r.read(op.n);
    case "readline":
      return r.readline();
    case "readexactly":
      return r.readexactly(op.n);
    case "readuntil":
      return r.readuntil(op.sep);
  }
}

async function check(core: "wasm" | "ts", c: Case): Promise<void> {
  await run(
    function* () {
      const input = c.input;
      const r = new StreamReader({ limit: c.limit, external: false });
      let fed = 0;
      let paused = false;
      const resumed = new Event();
      r.setSource({
        pause: () => {
          paused = true;
          resumed.clear();
        },
        resume: () => {
          paused = false;
          resumed.set();
        },
      });
      const feeder = createTask(function* () {
        for (let i = 0; fed < input.length; i++) {
          for (let g = c.gaps[i % c.gaps.length]!; g > 0; g--) yield;
          while (paused) yield* resumed.wait();
          const n = Math.min(c.cuts[i % c.cuts.length]!, input.length - fed);
          r.feedData(input.subarray(fed, fed + n));
          fed += n;
        }
        r.feedEof();
      });
      let pos = 0; // the model: input[pos..] is still to be read
      const expectNext = (got: Buffer) => {
        expect(got.toString()).toBe(input.subarray(pos, pos + got.length).toString());
        pos += got.length;
      };
      for (const op of c.ops) {
        const t = createTask(function* () {
          try {
            expectNext(yield* operation(r, op));
          } catch (e) {
            if (e instanceof IncompleteReadError) expectNext(e.partial);
            else if (e instanceof LimitOverrunError) {
              // readuntil leaves the buffer; readline drops the line or all that is buffered.
              if (op.kind === "readline") {
                const at = pos + e.consumed;
                pos = at < fed && input[at] === 10 ? at + 1 : fed;
              }
            } else throw e;
          }
        });
        if (op.cancelAfter >= 0) {
          for (let k = 0; k < op.cancelAfter; k++) yield;
          t.cancel();
        }
        while (!t.done()) yield;
        if (!t.cancelled()) t.result();
      }
      // read() to EOF parks if it must, which resumes a paused feeder.
      expectNext(yield* r.read());
      yield* feeder;
      expect(pos).toBe(input.length);
      expect(r.atEof()).toBe(true);
    },
    { core, clock: "virtual" },
  );
}

describe.each(CORES)("%s core", (core) => {
  test("no byte is lost or duplicated under random chunkings, reads and cancels", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => check(core, c)),
      { numRuns: 300 },
    );
  });
});
