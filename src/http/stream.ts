// A StreamReader (spindle's streams layer) over a Node Readable: a request body on the
// server, a response body in the client. The reader pauses the Readable past its limit and
// resumes it as a task reads, so a slow reader holds back a fast sender.

import type { Readable } from "node:stream";
import { StreamReader } from "../streams/index.js";

/** Feeds a new StreamReader from `source`; `onDone` runs once the source ends or fails. */
export function readerFrom(source: Readable, onDone: () => void = () => {}): StreamReader {
  const reader = new StreamReader();
  let finished = false;
  const done = (): void => {
    if (finished) return;
    finished = true;
    onDone();
  };
  reader.setSource({ pause: () => source.pause(), resume: () => source.resume() });
  source.on("data", (chunk: Buffer) => reader.feedData(chunk));
  source.on("end", () => {
    reader.feedEof();
    done();
  });
  source.on("error", (e) => {
    reader.setException(e);
    done();
  });
  source.on("close", () => {
    if (!reader.atEof() && reader.exception() === null)
      reader.setException(new Error("the connection closed before the body ended"));
    done();
  });
  return reader;
}
