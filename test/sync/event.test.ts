// Event: wait/set/clear/isSet, waking every waiter, and cancellation.

import { describe, expect, test } from "vitest";
import { Event, TimeoutError, createTask, run, waitFor } from "../../src/index.js";
import { errName, turns } from "./helpers.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  const opts = { core, clock: "virtual" } as const;

  test("set wakes every waiter, in the order they started waiting", async () => {
    const trace: string[] = [];
    await run(function* () {
      const ev = new Event();
      const waiter = (name: string) =>
        function* () {
          trace.push(`${name} waits`);
          trace.push(`${name} woke ${yield* ev.wait()}`);
        };
      const tasks = ["a", "b", "c"].map((n) => createTask(waiter(n)));
      yield* turns(1);
      expect(ev.statistics()).toEqual({ tasksWaiting: 3 });
      trace.push(`set (isSet ${ev.isSet()})`);
      ev.set();
      trace.push(`isSet ${ev.isSet()}`);
      for (const t of tasks) yield* t;
      expect(ev.statistics()).toEqual({ tasksWaiting: 0 });
    }, opts);
    expect(trace).toEqual([
      "a waits",
      "b waits",
      "c waits",
      "set (isSet false)",
      "isSet true",
      "a woke true",
      "b woke true",
      "c woke true",
    ]);
  });

  test("wait returns at once while set, and waits again after clear", async () => {
    const trace: string[] = [];
    await run(function* () {
      const ev = new Event();
      ev.set();
      ev.set(); // idempotent
      trace.push(`wait ${yield* ev.wait()}`);
      ev.clear();
      trace.push(`isSet ${ev.isSet()}`);
      const t = createTask(function* () {
        yield* ev.wait();
        trace.push("woke after the second set");
      });
      yield* turns(3);
      trace.push("set again");
      ev.set();
      yield* t;
    }, opts);
    expect(trace).toEqual(["wait true", "isSet false", "set again", "woke after the second set"]);
  });

  test("clear right after set does not take back the wake-up", async () => {
    const trace: string[] = [];
    await run(function* () {
      const ev = new Event();
      const t = createTask(function* () {
        trace.push(`woke ${yield* ev.wait()}`);
      });
      yield* turns(1);
      ev.set();
      ev.clear();
      yield* t;
      trace.push(`isSet ${ev.isSet()}`);
    }, opts);
    expect(trace).toEqual(["woke true", "isSet false"]);
  });

  test("a waiter cancelled while parked leaves the queue; the others still wake", async () => {
    const trace: string[] = [];
    await run(function* () {
      const ev = new Event();
      const waiter = (name: string) =>
        function* () {
          try {
            yield* ev.wait();
            trace.push(`${name} woke`);
          } catch (e) {
            trace.push(`${name} ${errName(e)}`);
            throw e;
          }
        };
      const a = createTask(waiter("a"));
      const b = createTask(waiter("b"));
      yield* turns(1);
      a.cancel();
      yield* turns(1);
      expect(ev.statistics().tasksWaiting).toBe(1);
      ev.set();
      yield* b;
      expect(a.cancelled()).toBe(true);
    }, opts);
    expect(trace).toEqual(["a CancelledError", "b woke"]);
  });

  test("a waiter cancelled right after set meets the cancel, as in asyncio", async () => {
    const trace: string[] = [];
    await run(function* () {
      const ev = new Event();
      const a = createTask(function* () {
        try {
          trace.push(`a woke ${yield* ev.wait()}`);
        } catch (e) {
          trace.push(`a ${errName(e)} at wait()`);
          throw e;
        }
      });
      yield* turns(1);
      ev.set();
      a.cancel();
      yield* turns(2);
      expect(a.cancelled()).toBe(true);
      expect(ev.statistics().tasksWaiting).toBe(0);
    }, opts);
    expect(trace).toEqual(["a CancelledError at wait()"]);
  });

  test("waitFor on wait times out and leaves no waiter behind", async () => {
    const trace: string[] = [];
    await run(function* () {
      const ev = new Event();
      try {
        yield* waitFor(ev.wait(), 10);
      } catch (e) {
        trace.push(`${errName(e)} ${e instanceof TimeoutError}`);
      }
      expect(ev.statistics().tasksWaiting).toBe(0);
      ev.set();
      trace.push(`wait ${yield* waitFor(ev.wait(), 10)}`);
    }, opts);
    expect(trace).toEqual(["TimeoutError true", "wait true"]);
  });
});
