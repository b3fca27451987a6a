// run() reports the first error: what goes wrong while it shuts down after that error is a
// consequence, handed to the loop's exception handler, never reported in its place. And a
// browser's main thread, where the wasm core compiles only asynchronously, needs nothing
// before run() (coreReady()).

import { describe, expect, it } from "vitest";
import { CancelledError, createTask, getRunningLoop, run, sleep } from "../../src/index.js";
import { coreReady } from "../../src/core/index.js";

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  it("rejects with main's error when shutting down fails after it", async () => {
    const handled: unknown[] = [];
    const first = new Error("first");
    const error = await run(
      function* () {
        const loop = getRunningLoop()!;
        loop.setExceptionHandler((_, context) => handled.push(context.exception));
        createTask(function* () {
          try {
            yield* sleep(1000);
          } finally {
            loop.stop(); // while run() cancels it: the shutdown's own run stops early
          }
        });
        yield* sleep(1);
        throw first;
      },
      { core, clock: "virtual" },
    ).catch((e: unknown) => e);
    expect(error).toBe(first);
    expect(handled).toHaveLength(1);
    expect(String(handled[0])).toContain("stopped before the task completed");
  });

  it("still rejects with a shutdown failure when main succeeded", async () => {
    const error = await run(
      function* () {
        const loop = getRunningLoop()!;
        createTask(function* () {
          try {
            yield* sleep(1000);
          } catch (e) {
            if (e instanceof CancelledError) loop.stop();
            throw e;
          }
        });
        yield* sleep(1);
        return "ok";
      },
      { core, clock: "virtual" },
    ).catch((e: unknown) => e);
    expect(String(error)).toContain("stopped before the task completed");
  });
});

it("coreReady() is synchronous where the host compiles synchronously (Node)", () => {
  expect(coreReady()).toBeUndefined();
});
