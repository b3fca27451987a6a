// Bodies as streams: request.content and a client response's content are StreamReaders
// (spindle/streams) read incrementally; a StreamResponse goes out chunked, and its write()
// waits while the client does not read (backpressure), so a slow client holds the handler
// back instead of growing a buffer.

import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { sleep } from "../../src/index.js";
import { ClientSession, web } from "../../src/http/index.js";
import { CORES, serve } from "./helpers.js";

describe.each(CORES)("streaming bodies (%s core)", (core) => {
  it("reads a request body line by line through request.content, and a response through res.content", async () => {
    const app = new web.Application();
    app.router.addPost("/lines", function* (request) {
      const lines: string[] = [];
      for (;;) {
        const line = yield* request.content.readline();
        if (line.length === 0) break;
        lines.push(line.toString().trim());
      }
      const resp = new web.StreamResponse({ headers: { "Content-Type": "text/plain" } });
      yield* resp.prepare(request);
      for (const l of lines) {
        yield* resp.write(`${l.toUpperCase()}\n`);
        yield* sleep(5);
      }
      yield* resp.writeEof();
      return resp;
    });
    await serve(
      app,
      function* (base) {
        const session = new ClientSession();
        try {
          const res = yield* session.post(`${base}/lines`, { data: "one\ntwo\nthree\n" });
          expect(res.headers.get("transfer-encoding")).toBe("chunked");
          const got: string[] = [];
          for (;;) {
            const line = yield* res.content.readline();
            if (line.length === 0) break;
            got.push(line.toString());
          }
          expect(got).toEqual(["ONE\n", "TWO\n", "THREE\n"]);
          expect(Object.values(session.dispatcher.stats).every((s) => s.running === 0)).toBe(true);
        } finally {
          yield* session.close();
        }
      },
      { core },
    );
  });

  it("write() waits while the client does not read: backpressure bounds what the server buffers", async () => {
    const CHUNK = 64 * 1024;
    const TOTAL = 256; // 16 MiB in all
    let written = 0;
    const app = new web.Application();
    app.router.addGet("/flood", function* (request) {
      const resp = new web.StreamResponse();
      yield* resp.prepare(request);
      const chunk = Buffer.alloc(CHUNK, 1);
      for (let i = 0; i < TOTAL; i++) {
        yield* resp.write(chunk);
        written++;
      }
      yield* resp.writeEof();
      return resp;
    });
    await serve(
      app,
      async (base) => {
        const { hostname, port } = new URL(base);
        const s = connect(Number(port), hostname);
        s.write("GET /flood HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        s.pause(); // read nothing for a while
        await new Promise((r) => setTimeout(r, 300));
        const whilePaused = written;
        // Socket buffers on both sides hold some MiB at most; the handler waits beyond that.
        expect(whilePaused).toBeLessThan(TOTAL / 2);
        let received = 0;
        await new Promise<void>((resolve) => {
          s.on("data", (c: Buffer) => (received += c.length));
          s.on("end", () => resolve());
          s.resume();
        });
        expect(written).toBe(TOTAL);
        expect(received).toBeGreaterThan(CHUNK * TOTAL); // the body plus chunk framing
      },
      { core },
    );
  });
});
