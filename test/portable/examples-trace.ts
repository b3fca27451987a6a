// The examples' traces on the virtual clock, as one JSON object (name -> lines): run on Bun and
// Deno by test/portable/runtimes.test.ts and compared with the same traces taken on Node
// (which test/examples.test.ts checks against what the examples' comments and the Python
// references say).
//
//   bun test/portable/print-examples.ts
//   deno run -A --sloppy-imports test/portable/print-examples.ts

import { main as asyncAwait } from "../../examples/async-await.js";
import { main as executor } from "../../examples/executor.js";
import { main as greenlet } from "../../examples/greenlet.js";
import { main as producerConsumer } from "../../examples/producer-consumer.js";
import { main as roundRobin } from "../../examples/round-robin.js";
import { main as sleepShowthread } from "../../examples/sleep-showthread.js";

type Main = (options: { clock?: "virtual"; log?: (line: string) => void }) => Promise<void>;

export const EXAMPLES: Record<string, Main> = {
  "round-robin": roundRobin,
  "producer-consumer": producerConsumer,
  "sleep-showthread": sleepShowthread,
  "async-await": asyncAwait,
  greenlet,
  executor,
};

/** Each example's lines (tick counts, which vary with the machine, replaced by N). */
export async function traces(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [name, main] of Object.entries(EXAMPLES)) {
    const lines: string[] = [];
    await main({
      clock: "virtual",
      log: (line) => lines.push(line.replace(/\d+ ticks/, "N ticks")),
    });
    out[name] = lines;
  }
  return out;
}
