// The tutorial's `sleep` / `showthread` program: two coroutines that run concurrently on
// one thread.
//
// `sleep` prints "sleep i" and sleeps 3 s, three times; `showthread` prints what is running
// and sleeps 2 s, three times. Python printed threading.enumerate() — a single MainThread.
// Node's analogue is the thread's id from node:worker_threads (0: the main thread), and
// spindle's analogue of "what is running" is allTasks(): both coroutines are tasks of one
// loop on that one thread, one running and the others parked. The whole program takes
// 9 s, not 3 × 3 + 3 × 2 = 15 s: the sleeps overlap.
//
//   npx tsx examples/sleep-showthread.ts
//
// Python:
//   loop = asyncio.get_event_loop()
//   tasks = [sleep(3), showthread(3)]
//   loop.run_until_complete(asyncio.wait(tasks))
//   loop.close()

import { pathToFileURL } from "node:url";
import { isMainThread, threadId } from "node:worker_threads";
import {
  allTasks,
  getEventLoop,
  newEventLoop,
  setEventLoop,
  sleep,
  wait,
  type EventLoop,
} from "spindle";

/** Options of main (the tests pass a virtual clock and a log that captures the lines). */
export interface Options {
  /** "real" (default): the program takes 9 s. "virtual": time jumps, it takes ~1 ms. */
  clock?: "real" | "virtual";
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

/** Runs the two coroutines on the current event loop until both finish, then closes it. */
export async function main({ clock = "real", log = console.log }: Options = {}): Promise<void> {
  // get_event_loop() makes a loop on the real clock; for the virtual one, install it first.
  if (clock === "virtual") setEventLoop(newEventLoop({ clock: "virtual" }));
  const loop = getEventLoop();
  const start = loop.time();
  // Seconds since the start, to show the two sleepers overlapping.
  const at = (): string => `[${((loop.time() - start) / 1000).toFixed(1)} s]`;

  // Python: async def sleep(x): for i in range(3): print('sleep {}'.format(i));
  //                                                await asyncio.sleep(x)
  // (renamed: `sleep` is spindle's). Times are in milliseconds, as everywhere in JS.
  function* sleeper(x: number) {
    for (let i = 0; i < 3; i++) {
      log(`${at()} sleep ${i}`);
      yield* sleep(x);
    }
  }

  // Python: async def showthread(x): for i in range(3): print(threading.enumerate());
  //                                                     await asyncio.sleep(2)
  function* showthread(_x: number) {
    for (let i = 0; i < 3; i++) {
      log(`${at()} ${whatIsRunning(loop)}`);
      yield* sleep(2000);
    }
  }

  // Named tasks, so that allTasks() prints names rather than "Task-<n>". wait() would also
  // take the two coroutines themselves, as asyncio.wait(tasks) does in the tutorial.
  const tasks = [
    loop.createTask(sleeper(3000), { name: "sleep" }),
    loop.createTask(showthread(3000), { name: "showthread" }),
  ];
  await loop.runUntilComplete(loop.createTask(wait(tasks), { name: "main" }));
  log(`${at()} done`);
  loop.close();
}

/** The thread (there is one) and the loop's tasks, like Python's threading.enumerate(). */
function whatIsRunning(loop: EventLoop): string {
  const thread = `${isMainThread ? "main thread" : "worker thread"}, threadId ${threadId}`;
  const tasks = [...allTasks(loop)].map(String).join(", ");
  return `threads: [${thread}] tasks: [${tasks}]`;
}

// Run when executed directly (npx tsx examples/sleep-showthread.ts), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
