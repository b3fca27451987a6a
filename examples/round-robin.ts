// The tutorial's first program: two generators that take turns at `yield`.
//
// First by hand, exactly as in the tutorial: the "scheduler" is a for loop that calls
// next() on one generator, then on the other. Then on spindle: the same two generator
// functions, unchanged, run as two tasks. A bare `yield` gives the turn to the next ready
// task, and the loop's FIFO ready queue does the alternating the for loop did by hand.
//
//   npx tsx examples/round-robin.ts
//
// Prints:
//   by hand:     a.x 0, b.x 0, a.x 1, b.x 1, a.x 2, b.x 2
//   on spindle:  the same six lines

import { pathToFileURL } from "node:url";
import { createTask, run } from "spindle";

/** Options of main (the tests pass a virtual clock and a log that captures the lines). */
export interface Options {
  /** "real" (default) or "virtual": this example never sleeps, so both print the same. */
  clock?: "real" | "virtual";
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

type Log = (line: string) => void;

// Python: def a(x=3): for i in range(x): print('a.x {}'.format(i)); yield
function* a(log: Log, x = 3): Generator<undefined, void, unknown> {
  for (let i = 0; i < x; i++) {
    log(`a.x ${i}`);
    yield;
  }
}

function* b(log: Log, x = 3): Generator<undefined, void, unknown> {
  for (let i = 0; i < x; i++) {
    log(`b.x ${i}`);
    yield;
  }
}

/** Runs both versions, by hand and on spindle. */
export async function main({ clock = "real", log = console.log }: Options = {}): Promise<void> {
  log("by hand:");
  const x = a(log);
  const y = b(log);
  for (let i = 0; i < 3; i++) {
    x.next();
    y.next();
  }

  // asyncio: tasks = [a(), b()]; loop.run_until_complete(asyncio.wait(tasks))
  log("on spindle:");
  await run(
    function* () {
      const ta = createTask(a(log), { name: "a" });
      const tb = createTask(b(log), { name: "b" });
      yield* ta; // `yield*` is spindle's `await`
      yield* tb;
    },
    { clock },
  );
}

// Run when executed directly (npx tsx examples/round-robin.ts), not when imported by a test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
