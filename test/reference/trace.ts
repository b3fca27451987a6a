// The reference's word: each behaviour mirrored from asyncio, aiohttp, greenlet or gevent
// has a small Python program under test/reference/<library>/<name>.py and the trace it
// printed (<name>.txt, generated once with Debian's python3; the command is the program's
// first line). A test runs the spindle translation and compares its trace with that file.

import { readFileSync } from "node:fs";

/** The lines the Python reference program printed. */
export function referenceTrace(library: string, name: string): string[] {
  const url = new URL(`./${library}/${name}.txt`, import.meta.url);
  const text = readFileSync(url, "utf8");
  return text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
}

/** A `print` for translations: collects lines to compare with the reference. */
export function printer(): { lines: string[]; print: (...parts: unknown[]) => void } {
  const lines: string[] = [];
  return { lines, print: (...parts) => void lines.push(parts.map(String).join(" ")) };
}
