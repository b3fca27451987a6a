// taskGroup: structured concurrency (asyncio.TaskGroup). The group waits for every child; the
// first failure cancels the siblings and the body; failures come out as an ExceptionGroup;
// a body that swallows the group's cancellation does not hide the failure.

import { describe, expect, it } from "vitest";
import {
  CancelledError,
  ExceptionGroup,
  currentTask,
  sleep,
  taskGroup,
  type EventLoop,
  type Instruction,
  type TaskGroup,
} from "../../src/index.js";
import { errText, virtualLoop } from "./helpers.js";

function* failAfter(
  ms: number,
  message: string,
): Generator<Instruction | undefined, never, unknown> {
  yield* sleep(ms);
  throw new Error(message);
}

/** A child that sleeps `ms`, and on cancellation cleans up for `cleanup` ms. */
function* sibling(loop: EventLoop, trace: string[], name: string, ms: number, cleanup: number) {
  try {
    yield* sleep(ms);
    trace.push(`${name} done @${loop.time()}`);
    return name;
  } catch (e) {
    trace.push(`${name} ${(e as Error).name} @${loop.time()}`);
    yield* sleep(cleanup);
    trace.push(`${name} cleaned up @${loop.time()}`);
    throw e;
  }
}

/** The ExceptionGroup's sub-errors as text, or the error itself. */
function groupText(e: unknown): string[] | string {
  return e instanceof ExceptionGroup ? e.errors.map(errText) : errText(e);
}

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  it("waits for every task before returning the body's result", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const v = await loop.runUntilComplete(function* () {
      const r = yield* taskGroup(function* (tg) {
        tg.createTask(sibling(loop, trace, "a", 10, 0));
        const b = tg.createTask(sibling(loop, trace, "b", 20, 0));
        trace.push("body returns");
        return b;
      });
      trace.push(`group returned @${loop.time()}`);
      return r.result();
    });
    expect(v).toBe("b");
    expect(trace).toEqual(["body returns", "a done @10", "b done @20", "group returned @20"]);
    loop.close();
  });

  it("cancels the siblings and the body when a child fails, then throws an ExceptionGroup", async () => {
    const { loop, reports } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(failAfter(10, "child a failed"));
          tg.createTask(sibling(loop, trace, "b", 100, 5));
          try {
            yield* sleep(1000);
          } catch (e) {
            trace.push(`body ${(e as Error).name} @${loop.time()}`);
            throw e;
          }
        });
      } catch (e) {
        trace.push(`group threw ${JSON.stringify(groupText(e))} @${loop.time()}`);
      }
      // The cancellation the group used on its task was withdrawn: the task runs on.
      trace.push(`cancelling=${currentTask()!.cancelling()}`);
      yield* sleep(1);
      trace.push(`main slept @${loop.time()}`);
    });
    expect(trace).toEqual([
      "b CancelledError @10",
      "body CancelledError @10",
      "b cleaned up @15",
      'group threw ["Error: child a failed"] @15',
      "cancelling=0",
      "main slept @16",
    ]);
    loop.close();
    expect(reports).toEqual([]);
  });

  it("collects every failure, including one raised while a sibling was being cancelled", async () => {
    const { loop, reports } = virtualLoop(core);
    const errors = await loop.runUntilComplete(function* () {
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(failAfter(10, "first"));
          tg.createTask(function* () {
            try {
              yield* sleep(100);
            } finally {
              // eslint-disable-next-line no-unsafe-finally
              throw new Error("failed while cancelled");
            }
          });
          tg.createTask(function* () {
            try {
              yield* sleep(100);
            } catch {
              // ignores the cancel, then fails on its own
            }
            yield* failAfter(5, "failed later");
          });
        });
        return "no error";
      } catch (e) {
        return groupText(e);
      }
    });
    expect(errors).toEqual([
      "Error: first",
      "Error: failed while cancelled",
      "Error: failed later",
    ]);
    expect(loop.time()).toBe(15);
    loop.close();
    expect(reports).toEqual([]);
  });

  it("cancels the children when the body fails, and reports the body's error", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const errors = await loop.runUntilComplete(function* () {
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(sibling(loop, trace, "a", 100, 2));
          yield* sleep(5);
          throw new RangeError("body failed");
        });
        return "no error";
      } catch (e) {
        return groupText(e);
      }
    });
    expect(errors).toEqual(["RangeError: body failed"]);
    expect(trace).toEqual(["a CancelledError @5", "a cleaned up @7"]);
    loop.close();
  });

  it("stays a CancelledError when the task running the group is cancelled", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const runner = loop.createTask(function* () {
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(sibling(loop, trace, "a", 100, 3));
          tg.createTask(sibling(loop, trace, "b", 100, 1));
          yield* sleep(1000);
        });
      } catch (e) {
        trace.push(`runner got ${e instanceof CancelledError ? "CancelledError" : groupText(e)}`);
        throw e;
      }
    });
    await loop.runUntilComplete(function* () {
      yield* sleep(10);
      runner.cancel();
      try {
        yield* runner;
      } catch {
        trace.push(`runner cancelled=${runner.cancelled()} @${loop.time()}`);
      }
    });
    expect(trace).toEqual([
      "a CancelledError @10",
      "b CancelledError @10",
      "b cleaned up @11",
      "a cleaned up @13",
      "runner got CancelledError",
      "runner cancelled=true @13",
    ]);
    loop.close();
  });

  it("still throws the failure when the body swallows the group's cancellation", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(failAfter(10, "child failed"));
          try {
            yield* sleep(1000);
          } catch {
            trace.push(`body swallowed @${loop.time()}`);
          }
          yield* sleep(5);
          trace.push(`body finished @${loop.time()}`);
          return "body result";
        });
        trace.push("group returned");
      } catch (e) {
        trace.push(`group threw ${JSON.stringify(groupText(e))} @${loop.time()}`);
      }
      trace.push(`cancelling=${currentTask()!.cancelling()}`);
      yield* sleep(3);
      trace.push(`main slept @${loop.time()}`);
    });
    expect(trace).toEqual([
      "body swallowed @10",
      "body finished @15",
      'group threw ["Error: child failed"] @15',
      "cancelling=0",
      "main slept @18",
    ]);
    loop.close();
  });

  it("waits for a child that swallows its cancellation", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const errors = await loop.runUntilComplete(function* () {
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(failAfter(10, "boom"));
          tg.createTask(function* () {
            try {
              yield* sleep(100);
            } catch {
              trace.push(`stubborn ignores the cancel @${loop.time()}`);
            }
            yield* sleep(30);
            trace.push(`stubborn done @${loop.time()}`);
          });
        });
        return "no error";
      } catch (e) {
        return groupText(e);
      }
    });
    expect(errors).toEqual(["Error: boom"]);
    expect(trace).toEqual(["stubborn ignores the cancel @10", "stubborn done @40"]);
    expect(loop.time()).toBe(40);
    loop.close();
  });

  it("collects a child's failure that happens after the body has returned", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const errors = await loop.runUntilComplete(function* () {
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(failAfter(20, "late failure"));
          tg.createTask(sibling(loop, trace, "b", 50, 1));
          return "body done";
        });
        return "no error";
      } catch (e) {
        return groupText(e);
      }
    });
    expect(errors).toEqual(["Error: late failure"]);
    expect(trace).toEqual(["b CancelledError @20", "b cleaned up @21"]);
    loop.close();
  });

  it("throws a lone child's failure after the body returned, leaving no cancel behind", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    await loop.runUntilComplete(function* () {
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(failAfter(5, "only child failed"));
        });
      } catch (e) {
        trace.push(`group threw ${JSON.stringify(groupText(e))} @${loop.time()}`);
      }
      trace.push(`cancelling=${currentTask()!.cancelling()}`);
      yield* sleep(7);
      trace.push(`main slept @${loop.time()}`);
    });
    expect(trace).toEqual([
      'group threw ["Error: only child failed"] @5',
      "cancelling=0",
      "main slept @12",
    ]);
    loop.close();
  });

  it("nests: an inner group's failure cancels the outer group's other children", async () => {
    const { loop } = virtualLoop(core);
    const trace: string[] = [];
    const errors = await loop.runUntilComplete(function* () {
      try {
        yield* taskGroup(function* (outer) {
          outer.createTask(sibling(loop, trace, "outer-child", 100, 1));
          yield* taskGroup(function* (inner) {
            inner.createTask(failAfter(10, "inner child failed"));
            inner.createTask(sibling(loop, trace, "inner-sibling", 100, 2));
          });
        });
        return "no error";
      } catch (e) {
        return e instanceof ExceptionGroup ? e.errors.map(groupText) : errText(e);
      }
    });
    expect(errors).toEqual([["Error: inner child failed"]]);
    expect(trace).toEqual([
      "inner-sibling CancelledError @10",
      "inner-sibling cleaned up @12",
      "outer-child CancelledError @12",
      "outer-child cleaned up @13",
    ]);
    loop.close();
  });

  it("refuses new tasks once the group has finished", async () => {
    const { loop } = virtualLoop(core);
    let group: TaskGroup | null = null;
    const message = await loop.runUntilComplete(function* () {
      yield* taskGroup(function* (tg) {
        group = tg;
        tg.createTask(sleep(1));
      });
      try {
        group!.createTask(sleep(1));
        return "accepted";
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(message).toBe("spindle: this TaskGroup is finished");
    loop.close();
  });
});
