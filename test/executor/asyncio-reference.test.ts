// The spindle translation of test/reference/asyncio/run_in_executor.py, checked line by
// line against the trace CPython printed. Real threads, so the real clock; both cores.

import { describe, expect, it } from "vitest";
import {
  CancelledError,
  ThreadPoolExecutor,
  createTask,
  gather,
  getRunningLoop,
  run,
  runInExecutor,
  setDefaultExecutor,
  sleep,
  toThread,
} from "../../src/index.js";
import { printer, referenceTrace } from "../reference/trace.js";
import { FINISHED, JOBS, STARTED, flags, until } from "./helpers.js";

const py = (b: boolean): string => (b ? "True" : "False");

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  it("run_in_executor.py: results, errors, dropped and abandoned jobs, FIFO", async () => {
    const { lines, print } = printer();
    await run(
      function* () {
        print("to_thread:", yield* toThread(JOBS, "add", 2, 3));
        print("run_in_executor:", yield* runInExecutor(JOBS, "add", 3, 4));

        setDefaultExecutor(getRunningLoop()!, new ThreadPoolExecutor({ maxWorkers: 1 }));
        const done = flags();
        const running = createTask(runInExecutor(JOBS, "spinThenFlag", done.buffer, 200));
        yield* until(done, STARTED); // the one thread runs spin (Python: sleep(0.05))
        const calls = flags();
        const queued = createTask(runInExecutor(JOBS, "countCall", calls.buffer));
        yield* sleep(10); // countCall waits for the thread
        queued.cancel();
        try {
          yield* queued;
        } catch (e) {
          if (e instanceof CancelledError) print("queued job's waiter: CancelledError");
        }
        running.cancel();
        try {
          yield* running;
        } catch (e) {
          if (e instanceof CancelledError)
            print(
              "running job's waiter: CancelledError at once; job still running:",
              py(Atomics.load(done, FINISHED) === 0),
            );
        }
        yield* until(done, FINISHED);
        print("the running job finished anyway:", py(Atomics.load(done, FINISHED) === 1));
        print("next job:", yield* runInExecutor(JOBS, "add", 0, 0));
        print("the queued job never ran:", py(Atomics.load(calls, STARTED) === 0));

        try {
          yield* toThread(JOBS, "failValue", "boom");
        } catch (e) {
          const err = e as Error;
          if (err.name === "ValueError") print("error:", `${err.name}('${err.message}')`);
        }
        const [a, b] = yield* gather(toThread(JOBS, "add", 0, 1), toThread(JOBS, "add", 1, 1));
        print("gather:", `[${String(a)}, ${String(b)}]`);
      },
      { core },
    );
    expect(lines).toEqual(referenceTrace("asyncio", "run_in_executor"));
  });
});
