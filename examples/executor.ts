// The tutorial's closing point: coroutines take turns on one thread, so they never use a
// second core, and CPU-bound work in a coroutine stops every other task while it runs. Its
// advice — combine coroutines with threads and processes — is, in spindle, runInExecutor
// (asyncio's run_in_executor): the work runs on a worker thread, the task waits for it like
// it waits for a socket, and the loop goes on running the other tasks.
//
// Two runs of the same count of primes, with a ticker task on the loop ticking every 10 ms:
// first on the loop itself — the ticker stands still until the count is done — then on a
// worker thread, while the ticker keeps ticking.
//
//   npx tsx examples/executor.ts
//
// Prints (tick counts vary with the machine):
//   on the loop:     41538 primes below 500000; the ticker ticked 0 times meanwhile
//   on a thread:     41538 primes below 500000; the ticker kept ticking (12 ticks)
//
// Python:
//   count = await loop.run_in_executor(None, count_primes, 500_000)   # or
//   count = await asyncio.to_thread(count_primes, 500_000)

import { pathToFileURL } from "node:url";
import { createTask, run, runInExecutor, sleep } from "spindle";
import { countPrimes } from "./primes.js";

/** Options of main (the tests pass a virtual clock and a log that captures the lines). */
export interface Options {
  /** "real" (default) or "virtual": the ticker's 10 ms are then virtual, the count is not. */
  clock?: "real" | "virtual";
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

/** The job's module: a URL the worker thread imports (never a relative path). */
const JOBS = new URL("./primes.js", import.meta.url);
const LIMIT = 500_000;

/** Counts primes on the loop, then on a worker thread, with a ticker running. */
export async function main({ clock = "real", log = console.log }: Options = {}): Promise<void> {
  await run(
    function* () {
      let ticks = 0;
      const ticker = createTask(
        function* () {
          for (;;) {
            yield* sleep(10);
            ticks++;
          }
        },
        { name: "ticker" },
      );
      yield* sleep(0); // the ticker starts its first sleep

      // On the loop: nothing else runs until countPrimes returns.
      let before = ticks;
      const here = countPrimes(LIMIT) as number;
      log(
        `on the loop:   ${here} primes below ${LIMIT}; the ticker ticked ${ticks - before} times meanwhile`,
      );

      // On a worker thread of the loop's default executor (one thread per core, made on
      // first use and shut down when run() closes the loop).
      before = ticks;
      const there = yield* runInExecutor<number>(JOBS, "countPrimes", LIMIT);
      const meanwhile = ticks - before;
      log(
        `on a thread:   ${there} primes below ${LIMIT}; ` +
          (meanwhile > 0
            ? `the ticker kept ticking (${meanwhile} ticks)`
            : "the ticker stood still"),
      );
      ticker.cancel();
    },
    { clock },
  );
}

// Run when executed directly (npx tsx examples/executor.ts), not when imported by a test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
