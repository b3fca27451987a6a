// StreamReader fed by hand: each read's result at data, at EOF and past the limit, the
// buffer left as asyncio leaves it, and backpressure on the source.

import { describe, expect, test } from "vitest";
import {
  IncompleteReadError,
  InvalidStateError,
  LimitOverrunError,
  StreamReader,
  createTask,
  run,
  sleep,
} from "../../src/index.js";
import { CORES } from "./helpers.js";

const s = (b: Uint8Array) => Buffer.from(b).toString();

describe.each(CORES)("%s core", (core) => {
  const opts = { core, clock: "virtual" } as const;

  test("read, readline, readexactly and readuntil take what they need and leave the rest", async () => {
    const out: string[] = [];
    await run(function* () {
      const r = new StreamReader({ external: false });
      r.feedData("hello\nwor");
      r.feedData("ld\r\nabcdef");
      out.push(s(yield* r.readline()));
      out.push(s(yield* r.readuntil("\r\n")));
      out.push(s(yield* r.readexactly(2)));
      out.push(s(yield* r.read(3)));
      r.feedEof();
      out.push(s(yield* r.read()));
      out.push(`eof ${r.atEof()} ${s(yield* r.read())}|${s(yield* r.readline())}|`);
    }, opts);
    expect(out).toEqual(["hello\n", "world\r\n", "ab", "cde", "f", "eof true ||"]);
  });

  test("a parked reader is woken by feedData from another task", async () => {
    const out: string[] = [];
    await run(function* () {
      const r = new StreamReader({ external: false });
      const t = createTask(function* () {
        out.push(`line ${s(yield* r.readline())}`);
        out.push(`exact ${s(yield* r.readexactly(5))}`);
      });
      yield* sleep(1);
      r.feedData("par");
      yield* sleep(1);
      out.push(`buffered ${r.buffered}`);
      r.feedData("tial\n12");
      yield* sleep(1);
      r.feedData("345");
      yield* t;
    }, opts);
    expect(out).toEqual(["buffered 3", "line partial\n", "exact 12345"]);
  });

  test("readexactly at EOF throws IncompleteReadError with the partial bytes", async () => {
    await run(function* () {
      const r = new StreamReader();
      r.feedData("abc");
      r.feedEof();
      const e = yield* catching(r.readexactly(5));
      expect(e).toBeInstanceOf(IncompleteReadError);
      expect([s((e as IncompleteReadError).partial), (e as IncompleteReadError).expected]).toEqual([
        "abc",
        5,
      ]);
      expect(r.atEof()).toBe(true);
    }, opts);
  });

  test("readuntil past the limit throws LimitOverrunError and leaves the buffer intact", async () => {
    await run(function* () {
      const r = new StreamReader({ limit: 4 });
      r.feedData("abcdefgh\nrest");
      const e = (yield* catching(r.readuntil("\n"))) as LimitOverrunError;
      expect(e).toBeInstanceOf(LimitOverrunError);
      expect(e.consumed).toBe(8);
      expect(r.buffered).toBe(13);
      expect(s(yield* r.readexactly(e.consumed))).toBe("abcdefgh");
      expect(s(yield* r.readline())).toBe("\n");
    }, opts);
  });

  test("readline past the limit discards the line and throws; the next line reads", async () => {
    await run(function* () {
      const r = new StreamReader({ limit: 4 });
      r.feedData("abcdefgh\nok\n");
      expect(yield* catching(r.readline())).toBeInstanceOf(LimitOverrunError);
      expect(s(yield* r.readline())).toBe("ok\n");
    }, opts);
  });

  test("readuntil at EOF without the separator throws IncompleteReadError(partial, null)", async () => {
    await run(function* () {
      const r = new StreamReader();
      r.feedData("no separator");
      r.feedEof();
      const e = (yield* catching(r.readuntil("!"))) as IncompleteReadError;
      expect([s(e.partial), e.expected]).toEqual(["no separator", null]);
    }, opts);
  });

  test("setException makes reads throw; a second concurrent reader is an error", async () => {
    await run(function* () {
      const r = new StreamReader({ external: false });
      const first = createTask(r.read(1));
      yield* sleep(1);
      const second = yield* catching(r.read(1));
      expect(second).toBeInstanceOf(InvalidStateError);
      const boom = new Error("boom");
      r.setException(boom);
      expect(yield* catching(first)).toBe(boom);
      expect(yield* catching(r.readline())).toBe(boom);
    }, opts);
  });

  test("pauses its source past 2 x limit and resumes it when read down to the limit", async () => {
    const calls: string[] = [];
    await run(function* () {
      const r = new StreamReader({ limit: 10 });
      r.setSource({ pause: () => calls.push("pause"), resume: () => calls.push("resume") });
      r.feedData(Buffer.alloc(20));
      calls.push(`paused ${r.isPaused()}`);
      r.feedData(Buffer.alloc(1));
      calls.push(`paused ${r.isPaused()}`);
      yield* r.read(5);
      calls.push(`paused ${r.isPaused()} at ${r.buffered}`);
      yield* r.read(6);
      calls.push(`paused ${r.isPaused()} at ${r.buffered}`);
    }, opts);
    expect(calls).toEqual([
      "paused false",
      "pause",
      "paused true",
      "paused true at 16",
      "resume",
      "paused false at 10",
    ]);
  });

  test("a reader that needs more than the pause mark resumes its source when it parks", async () => {
    const calls: string[] = [];
    await run(function* () {
      const r = new StreamReader({ limit: 2, external: false });
      r.setSource({ pause: () => calls.push("pause"), resume: () => calls.push("resume") });
      r.feedData("12345");
      const t = createTask(r.readexactly(8));
      yield* sleep(1);
      r.feedData("678");
      calls.push(s(yield* t));
    }, opts);
    // Parked for 8 > 2 × limit: resumed; 678 brings it past the mark again, the take resumes it.
    expect(calls).toEqual(["pause", "resume", "pause", "resume", "12345678"]);
  });

  test("read() to EOF gives back what it took when it is cancelled", async () => {
    await run(function* () {
      const r = new StreamReader({ limit: 2, external: false });
      const t = createTask(r.read());
      r.feedData("abcdef");
      yield* sleep(1);
      t.cancel();
      yield* sleep(1);
      expect(t.cancelled()).toBe(true);
      r.feedEof();
      expect(s(yield* r.read())).toBe("abcdef");
    }, opts);
  });

  test("feedData after feedEof is an error", () => {
    const r = new StreamReader();
    r.feedEof();
    expect(() => r.feedData("x")).toThrow(InvalidStateError);
  });
});

function* catching(op: Iterable<unknown>): Generator<never, unknown, unknown> {
  try {
    yield* op as Generator<never>;
  } catch (e) {
    return e;
  }
  return undefined;
}
