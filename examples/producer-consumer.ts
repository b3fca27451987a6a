// The tutorial's generator pipeline: a producer hands items to a consumer.
//
// By hand, as in the tutorial: the consumer is a generator parked at `item = yield`; the
// producer pushes each item in with next(item) (Python's send(item)), after one bare
// next() to run the consumer up to its first `yield` ("priming" it). The consumer keeps its
// frame and its local variables between items instead of building them again per call.
//
// On spindle: producer and consumer are two tasks with a Queue between them. Neither calls
// the other; the queue parks the consumer while it is empty and the producer while it is
// full (maxsize 2), and taskDone()/join() tell the producer when every item was handled.
//
//   npx tsx examples/producer-consumer.ts
//
// Prints:
//   by hand:     produce 0, consume 0, produce 1, consume 1, ... — each send() runs the
//                consumer at once
//   on spindle:  produce 0, 1, 2, consume 0, 1, produce 3, 4, consume 2, 3, 4 — the
//                producer runs until put() parks on the full queue; each get() wakes it,
//                and it puts its item when it runs, while the consumer goes on taking
//                what is there (asyncio prints the same: test/reference/asyncio/
//                producer_consumer.py); then the producer learns from join() that all is
//                consumed, and cancels the consumer
//
// (The tutorial also timed 100,000,000 calls against 100,000,000 sends; `npm run bench`
// is where spindle measures things.)

import { pathToFileURL } from "node:url";
import { Queue, createTask, gather, run } from "spindle";

/** Options of main (the tests pass a virtual clock and a log that captures the lines). */
export interface Options {
  /** "real" (default) or "virtual": this example never sleeps, so both print the same. */
  clock?: "real" | "virtual";
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

type Log = (line: string) => void;

/** How many items the producer makes. */
const ITEMS = 5;

// Python: def consumer(): while True: item = yield
function* consumer(log: Log): Generator<undefined, never, number> {
  for (;;) {
    const item = yield; // the value the producer passes to next(item)
    log(`consume ${item}`);
  }
}

// Python: def producer(target, seq): for item in seq: target.send(item)
function producer(log: Log, target: Generator<undefined, never, number>, seq: number[]): void {
  for (const item of seq) {
    log(`produce ${item}`);
    target.next(item);
  }
}

function* producerTask(log: Log, queue: Queue<number>, seq: number[]) {
  for (const item of seq) {
    log(`produce ${item}`);
    yield* queue.put(item); // waits while the queue is full
  }
  yield* queue.join(); // waits until the consumer called taskDone() for every item
  log(`producer: all ${seq.length} items consumed`);
}

function* consumerTask(log: Log, queue: Queue<number>) {
  try {
    for (;;) {
      const item = yield* queue.get(); // waits while the queue is empty
      log(`consume ${item}`);
      queue.taskDone();
    }
  } finally {
    // Reached when the task is cancelled: CancelledError is thrown at `queue.get()`.
    log("consumer: cancelled");
  }
}

/** Runs both versions, by hand and on spindle. */
export async function main({ clock = "real", log = console.log }: Options = {}): Promise<void> {
  const seq = Array.from({ length: ITEMS }, (_, i) => i);

  log("by hand:");
  const g = consumer(log);
  g.next(0); // prime: run to the first `yield` (the value is ignored, as Python's next(g))
  producer(log, g, seq);

  log("on spindle:");
  await run(
    function* () {
      const queue = new Queue<number>({ maxsize: 2 });
      const c = createTask(consumerTask(log, queue), { name: "consumer" });
      yield* producerTask(log, queue, seq);
      // The consumer loops forever: cancel it and wait until it has stopped (asyncio's
      // worker idiom: task.cancel(); await gather(task, return_exceptions=True)).
      c.cancel();
      yield* gather(c, { returnExceptions: true });
    },
    { clock },
  );
}

// Run when executed directly (npx tsx examples/producer-consumer.ts), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
