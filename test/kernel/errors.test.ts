// Errors: a task's unhandled exception never kills the loop, it goes to the exception
// handler; callbacks' exceptions too; run() rejects with main's error; and deadlock — every
// task blocked with nothing that could wake one — is a DeadlockError, not a hang.

import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DeadlockError,
  Handle,
  createTask,
  gather,
  getRunningLoop,
  run,
  sleep,
  suspend,
  type ExceptionContext,
  type Task,
} from "../../src/index.js";
import { errText, recordReports, virtualLoop } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Parks the task on a wait that nothing will ever end (not outside work either). */
function* forever() {
  yield* suspend<void>(() => {}, { external: false });
}

/** What a report says, in a comparable form. */
function summary(c: ExceptionContext): Record<string, unknown> {
  return {
    message: c.message,
    exception: errText(c.exception),
    task: c.task?.name ?? null,
    handle: c.handle instanceof Handle,
  };
}

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  describe("exception handler", () => {
    it("reports a task exception nobody retrieved, and the loop runs on", async () => {
      const { loop, reports } = virtualLoop(core);
      const trace: string[] = [];
      const boom = new Error("background failure");
      const bad = loop.createTask(
        function* () {
          yield* sleep(5);
          throw boom;
        },
        { name: "bad" },
      );
      const good = loop.createTask(function* () {
        for (let i = 1; i <= 3; i++) {
          yield* sleep(5);
          trace.push(`good @${loop.time()}`);
        }
        return "good done";
      });
      expect(await loop.runUntilComplete(good)).toBe("good done");
      expect(trace).toEqual(["good @5", "good @10", "good @15"]);
      expect(bad.done()).toBe(true);
      loop.close();
      expect(reports.map(summary)).toEqual([
        {
          message: expect.stringMatching(/^Task exception was never retrieved/),
          exception: "Error: background failure",
          task: "bad",
          handle: false,
        },
      ]);
      expect(reports[0]!.exception).toBe(boom);
      expect(reports[0]!.loop).toBe(loop);
    });

    it("does not report a failure that is retrieved later, after time has passed", async () => {
      const { loop, reports } = virtualLoop(core);
      const got = await loop.runUntilComplete(function* () {
        const t = createTask(function* () {
          yield* sleep(1);
          throw new Error("looked at later");
        });
        yield* sleep(10);
        try {
          yield* t;
          return "no error";
        } catch (e) {
          return errText(e);
        }
      });
      expect(got).toBe("Error: looked at later");
      loop.close();
      expect(reports).toEqual([]);
    });

    it("does not report a failure retrieved by exception() or runUntilComplete", async () => {
      const { loop, reports } = virtualLoop(core);
      const fail = (msg: string) =>
        loop.createTask(function* () {
          yield;
          throw new Error(msg);
        });
      const a = fail("a");
      const c = fail("c");
      await expect(loop.runUntilComplete(c)).rejects.toThrow("c");
      await loop.runUntilComplete(sleep(1));
      expect(errText(a.exception())).toBe("Error: a");
      loop.close();
      expect(reports).toEqual([]);
    });

    it("reports an exception thrown by a callback, naming it, and runs the next callbacks", async () => {
      const { loop, reports } = virtualLoop(core);
      const trace: string[] = [];
      loop.callSoon(function exploding() {
        throw new TypeError("callback failed");
      });
      loop.callSoon(() => void trace.push("next callback ran"));
      loop.callLater(5, () => {
        throw new Error("timer failed");
      });
      await loop.runUntilComplete(sleep(10));
      expect(trace).toEqual(["next callback ran"]);
      expect(reports.map(summary)).toEqual([
        {
          message: "Exception in callback exploding",
          exception: "TypeError: callback failed",
          task: null,
          handle: true,
        },
        {
          message: "Exception in callback (anonymous)",
          exception: "Error: timer failed",
          task: null,
          handle: true,
        },
      ]);
      loop.close();
    });

    it("prints to stderr through the default handler when none is set", async () => {
      const { loop } = virtualLoop(core);
      const printed: string[] = [];
      vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(" "));
      });
      loop.setExceptionHandler(null);
      expect(loop.getExceptionHandler()).toBe(null);
      loop.callSoon(function noisy() {
        throw new Error("printed");
      });
      await loop.runUntilComplete(sleep(1));
      vi.restoreAllMocks();
      expect(printed).toHaveLength(1);
      expect(printed[0]).toMatch(/^spindle: Exception in callback noisy\nError: printed/);
      loop.close();
    });

    it("falls back to the default report when the handler itself throws", async () => {
      const { loop } = virtualLoop(core);
      const printed: string[] = [];
      vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(" "));
      });
      const handler = (): void => {
        throw new Error("handler broke");
      };
      loop.setExceptionHandler(handler);
      expect(loop.getExceptionHandler()).toBe(handler);
      loop.callSoon(function original() {
        throw new Error("original failure");
      });
      await loop.runUntilComplete(sleep(1));
      vi.restoreAllMocks();
      expect(printed.map((p) => p.split("\n").slice(0, 2).join(" | "))).toEqual([
        "spindle: Unhandled error in exception handler | Error: handler broke",
        "spindle: Exception in callback original | Error: original failure",
      ]);
      loop.close();
    });

    it("rejects a handler that is not a function or null", () => {
      const { loop } = virtualLoop(core);
      expect(() => loop.setExceptionHandler(42 as never)).toThrow(TypeError);
      loop.close();
    });
  });

  describe("run()", () => {
    it("rejects with main's error, reporting the background failures nobody retrieved", async () => {
      let reports: ExceptionContext[] = [];
      const p = run(
        function* () {
          reports = recordReports(getRunningLoop()!);
          createTask(
            function* () {
              yield* sleep(2);
              throw new Error("background failed");
            },
            { name: "bg" },
          );
          yield* sleep(5);
          throw new RangeError("main failed");
        },
        { core, clock: "virtual" },
      );
      await expect(p).rejects.toThrow(RangeError);
      await expect(p).rejects.toThrow("main failed");
      expect(reports.map(summary)).toEqual([
        {
          message: expect.stringMatching(/^Task exception was never retrieved/),
          exception: "Error: background failed",
          task: "bg",
          handle: false,
        },
      ]);
    });

    it("reports a task that fails while run() cancels it at shutdown", async () => {
      let reports: ExceptionContext[] = [];
      const v = await run(
        function* () {
          reports = recordReports(getRunningLoop()!);
          createTask(
            function* () {
              try {
                yield* sleep(1000);
              } finally {
                // eslint-disable-next-line no-unsafe-finally
                throw new Error("failed during shutdown");
              }
            },
            { name: "stubborn" },
          );
          yield* sleep(1);
          return "main result";
        },
        { core, clock: "virtual" },
      );
      expect(v).toBe("main result");
      expect(reports.map(summary)).toEqual([
        {
          message: "unhandled exception during run() shutdown",
          exception: "Error: failed during shutdown",
          task: "stubborn",
          handle: false,
        },
      ]);
    });

    it("refuses to be called from inside a running loop", async () => {
      const { loop } = virtualLoop(core);
      const message = await loop.runUntilComplete(async () => {
        try {
          await run(sleep(1));
          return "ran";
        } catch (e) {
          return (e as Error).message;
        }
      });
      expect(message).toBe("spindle: run() cannot be called from a running event loop");
      loop.close();
    });
  });

  describe("deadlock", () => {
    it("throws DeadlockError into main at once when nothing can ever wake a task", async () => {
      const { loop } = virtualLoop(core);
      const t = loop.createTask(
        function* () {
          createTask(forever(), { name: "helper" });
          yield* forever();
        },
        { name: "main" },
      );
      const err = await loop.runUntilComplete(t).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeadlockError);
      expect((err as Error).message).toMatch(/would block forever/);
      expect((err as Error).message).toMatch(/Blocked: .*main/);
      expect((err as Error).message).toMatch(/Blocked: .*helper/);
      expect(loop.time()).toBe(0);
      loop.close();
    });

    it("detects the deadlock once the last timer has fired", async () => {
      const { loop } = virtualLoop(core);
      const trace: string[] = [];
      const got = await loop.runUntilComplete(function* () {
        createTask(function* () {
          yield* sleep(50);
          trace.push(`sleeper finished @${loop.time()}`);
        });
        loop.callLater(70, () => void trace.push(`timer @${loop.time()}`));
        try {
          yield* forever();
          return "woken?";
        } catch (e) {
          return `${(e as Error).name} @${loop.time()}`;
        }
      });
      expect(trace).toEqual(["sleeper finished @50", "timer @70"]);
      expect(got).toBe("DeadlockError @70");
      loop.close();
    });

    it("lets main catch the DeadlockError and carry on", async () => {
      const { loop } = virtualLoop(core);
      const got = await loop.runUntilComplete(function* () {
        const out: string[] = [];
        for (let i = 0; i < 2; i++) {
          try {
            yield* forever();
          } catch (e) {
            out.push((e as Error).name);
          }
        }
        yield* sleep(5);
        out.push(`slept @${loop.time()}`);
        return out;
      });
      expect(got).toEqual(["DeadlockError", "DeadlockError", "slept @5"]);
      loop.close();
    });

    it("is not a deadlock while a Promise is pending", async () => {
      const { loop } = virtualLoop(core);
      const v = await loop.runUntilComplete(function* () {
        let resolve: (v: string) => void = () => {};
        const p = new Promise<string>((r) => (resolve = r));
        setImmediate(() => setImmediate(() => resolve("settled on a later turn")));
        return yield* suspend<string>((w) => void p.then((x) => w.resume(x)));
      });
      expect(v).toBe("settled on a later turn");
      loop.close();
    });

    it("throws DeadlockError into a main blocked in gather, whose children are blocked too", async () => {
      const { loop } = virtualLoop(core);
      const err = await loop
        .runUntilComplete(function* () {
          yield* gather(forever(), sleep(5), forever());
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeadlockError);
      expect(loop.time()).toBe(5);
      loop.close();
    });

    it("reports two tasks awaiting each other as a deadlock", async () => {
      const { loop } = virtualLoop(core);
      const err = await loop
        .runUntilComplete(function* () {
          const tasks: Task<unknown>[] = [];
          tasks.push(
            createTask(
              function* () {
                return yield* tasks[1]!;
              },
              { name: "A" },
            ),
          );
          tasks.push(
            createTask(
              function* () {
                return yield* tasks[0]!;
              },
              { name: "B" },
            ),
          );
          return yield* tasks[0]!;
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeadlockError);
    });
  });
});
