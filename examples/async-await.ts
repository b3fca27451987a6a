// The `sleep` / `showthread` program again, written with async/await instead of generators,
// still running on spindle's loop (and its clock).
//
// run(), createTask() and gather() take async functions as well as generators: each async
// function runs as a task, so currentTask() and allTasks() see it. A Task is awaitable from
// async code, and that is how async code waits for spindle's own operations:
// `await createTask(sleep(ms))` runs the sleep as a (short) task and awaits it. That helper
// task shows up in allTasks() — named here, so the listing is readable.
//
// One visible difference from the generator version: after its first `await`, an async
// function's code runs in a Promise callback, outside the loop's step, while its task stays
// parked on that Promise. So `showthread` lists itself as "parked" from its second line on,
// where the generator version says "running".
//
//   npx tsx examples/async-await.ts
//
// Python (3.7+):
//   async def main():
//       t1 = asyncio.create_task(sleep(3)); t2 = asyncio.create_task(showthread(3))
//       await t1; await t2
//   asyncio.run(main())

import { pathToFileURL } from "node:url";
import { isMainThread, threadId } from "node:worker_threads";
import { allTasks, createTask, currentTask, getRunningLoop, run, sleep } from "spindle";

/** Options of main (the tests pass a virtual clock and a log that captures the lines). */
export interface Options {
  /** "real" (default): the program takes 9 s. "virtual": time jumps, it takes a few ms. */
  clock?: "real" | "virtual";
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

/** asyncio.sleep for async code: spindle's sleep, run as a task and awaited. */
function nap(ms: number): PromiseLike<void> {
  return createTask(sleep(ms), { name: `${currentTask()?.name}'s sleep` });
}

/** Runs the two async functions as tasks of one loop until both finish. */
export async function main({ clock = "real", log = console.log }: Options = {}): Promise<void> {
  await run(
    async () => {
      currentTask()!.name = "main"; // run() names its task "Task-<n>"; a Task's name is writable
      const loop = getRunningLoop()!;
      const start = loop.time();
      const at = (): string => `[${((loop.time() - start) / 1000).toFixed(1)} s]`;

      async function sleeper(x: number): Promise<void> {
        for (let i = 0; i < 3; i++) {
          log(`${at()} sleep ${i}`);
          await nap(x);
        }
      }

      async function showthread(_x: number): Promise<void> {
        for (let i = 0; i < 3; i++) {
          const thread = `${isMainThread ? "main thread" : "worker thread"}, threadId ${threadId}`;
          const tasks = [...allTasks()].map(String).join(", ");
          log(`${at()} threads: [${thread}] tasks: [${tasks}]`);
          await nap(2000);
        }
      }

      // Pass the functions, not their promises: createTask calls each one inside its task.
      // From a generator the same two lines would be
      //   yield* gather(() => sleeper(3000), () => showthread(3000));
      const t1 = createTask(() => sleeper(3000), { name: "sleep" });
      const t2 = createTask(() => showthread(3000), { name: "showthread" });
      await t1;
      await t2;
      log(`${at()} done`);
    },
    { clock },
  );
}

// Run when executed directly (npx tsx examples/async-await.ts), not when imported by a test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
