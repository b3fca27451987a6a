// Reading a request body whole, with a bound: the bytes are gathered in Node's callbacks
// and the task wakes once, at the end (or at the first byte past the limit: 413). The
// undo of the wait (a cancelled handler) stops listening and leaves the socket to the
// server, which closes it when the handler's task ends.

import type { IncomingMessage } from "node:http";
import { suspend, type Instruction } from "../index.js";
import { HTTPBadRequest, HTTPRequestEntityTooLarge } from "./exceptions.js";

const BODY_WAIT = { describe: "a request body" } as const;

/** Reads all of `req`'s body; throws HTTPRequestEntityTooLarge past `max` bytes. */
export function* readBody(
  req: IncomingMessage,
  max: number,
): Generator<Instruction | undefined, Buffer, unknown> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > max) throw tooLarge(max, Number(declared));
  if (req.readableEnded || req.complete) return Buffer.alloc(0);
  return yield* suspend<Buffer>((waker) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        req.pause();
        waker.fail(tooLarge(max, size));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      waker.resume(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (e: unknown): void => {
      cleanup();
      waker.fail(new HTTPBadRequest({ text: `400: Bad Request (${String(e)})` }));
    };
    const onAborted = (): void => {
      cleanup();
      waker.fail(new HTTPBadRequest({ text: "400: Bad Request (the client went away)" }));
    };
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
    return cleanup;
  }, BODY_WAIT);
}

function tooLarge(max: number, actual: number): HTTPRequestEntityTooLarge {
  return new HTTPRequestEntityTooLarge({
    text: `Maximum request body size ${max} exceeded, actual body size ${actual}`,
    headers: { Connection: "close" },
  });
}
