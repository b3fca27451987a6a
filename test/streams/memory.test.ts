// Backpressure both ways keeps memory bounded: 100 MB offered into a server that reads
// slowly, and 100 MB written by a server to a peer that stops reading. Run in a child
// process (fixtures/flood.ts) with --expose-gc, so the samples are live memory.

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/flood.ts", import.meta.url));
const MB = 1024 * 1024;

test("100 MB each way through a slow reader and a stalled peer: memory stays within a few MB", () => {
  const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", FIXTURE], {
    encoding: "utf8",
    timeout: 60_000,
  });
  const r = JSON.parse(out.trim().split("\n").pop()!) as Record<string, number>;
  expect(r.inReceived).toBe(100 * MB);
  expect(r.outReceived).toBe(100 * MB);
  // The reader paused its socket, and never held more than 2 x limit plus one chunk.
  expect(r.inPauses).toBeGreaterThan(0);
  expect(r.inMaxBuffered).toBeLessThanOrEqual(2 * r.limit! + 64 * 1024);
  // The writer's buffer never held more than its high-water mark plus the chunk written.
  expect(r.outMaxPending).toBeLessThanOrEqual(r.highWaterMark! + 64 * 1024);
  // Live memory (after GC) above a warmed baseline: a few MB while 100 MB went through.
  // The stalled peer is the case that grows without bound when nothing pushes back.
  expect(r.inGrowth).toBeLessThan(8 * MB);
  expect(r.outStallGrowth).toBeLessThan(4 * MB);
  // While it reads, the same process's raw client holds its own receive buffers too.
  expect(r.outGrowth).toBeLessThan(24 * MB);
});
