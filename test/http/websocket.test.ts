// WebSockets: a spindle server's WebSocketResponse against session.wsConnect and against
// the `ws` client; text, binary and JSON both ways; close codes; a handshake on a plain
// route refused; a heartbeat that closes a silent peer; a cancelled handler (shutdown)
// closing its socket with 1001.

import { WebSocket } from "ws";
import { describe, expect, it } from "vitest";
import { sleep } from "../../src/index.js";
import { ClientSession, web } from "../../src/http/index.js";
import { CORES, serve } from "./helpers.js";

function app(trace: string[] = []): web.Application {
  const a = new web.Application();
  a.router.addGet("/ws", function* (request) {
    const ws = new web.WebSocketResponse();
    yield* ws.prepare(request);
    for (;;) {
      const msg = yield* ws.receive();
      if (msg.type === web.WSMsgType.TEXT) {
        if (msg.data === "close") {
          yield* ws.close({ code: 4000, message: "asked to" });
          break;
        }
        yield* ws.sendStr(`echo: ${String(msg.data)}`);
      } else if (msg.type === web.WSMsgType.BINARY) {
        yield* ws.sendBytes(Buffer.from([...(msg.data as Buffer)].reverse()));
      } else {
        trace.push(`server got type ${msg.type} ${String(msg.data)}`);
        break;
      }
    }
    trace.push(`server closed ${ws.closeCode}`);
    return ws;
  });
  a.router.addGet("/forever", function* (request) {
    const ws = new web.WebSocketResponse();
    yield* ws.prepare(request);
    try {
      yield* sleep(60_000);
    } finally {
      trace.push("forever finally");
    }
    return ws;
  });
  a.router.addGet("/plain", function* () {
    return new web.Response({ text: "not a websocket" });
  });
  return a;
}

describe.each(CORES)("WebSockets (%s core)", (core) => {
  it("echoes text, bytes and JSON to session.wsConnect, then closes with the server's code", async () => {
    const trace: string[] = [];
    await serve(
      app(trace),
      function* (base) {
        const session = new ClientSession();
        try {
          const ws = yield* session.wsConnect(`${base}/ws`);
          yield* ws.sendStr("hello");
          expect(yield* ws.receiveStr()).toBe("echo: hello");
          yield* ws.sendBytes(Buffer.from([1, 2, 3]));
          const bin = yield* ws.receive();
          expect([bin.type, [...(bin.data as Buffer)]]).toEqual([web.WSMsgType.BINARY, [3, 2, 1]]);
          yield* ws.sendJson({ a: 1 });
          expect(yield* ws.receiveStr()).toBe('echo: {"a":1}');
          yield* ws.sendStr("close");
          const closing = yield* ws.receive();
          expect([closing.type, closing.data, closing.extra]).toEqual([
            web.WSMsgType.CLOSE,
            4000,
            "asked to",
          ]);
          expect((yield* ws.receive()).type).toBe(web.WSMsgType.CLOSED);
          expect(ws.closed).toBe(true);
        } finally {
          yield* session.close();
        }
      },
      { core },
    );
    expect(trace).toEqual(["server closed 4000"]);
  });

  it("serves the ws package's client too; the client's close reaches the handler", async () => {
    const trace: string[] = [];
    await serve(
      app(trace),
      async (base) => {
        const ws = new WebSocket(base.replace("http", "ws") + "/ws");
        await new Promise((r) => ws.once("open", r));
        const reply = new Promise<string>((r) =>
          ws.once("message", (d: Buffer) => r(d.toString())),
        );
        ws.send("hi");
        expect(await reply).toBe("echo: hi");
        ws.close(1000, "done");
        await new Promise((r) => ws.once("close", r));
        for (let i = 0; i < 100 && trace.length === 0; i++)
          await new Promise((r) => setTimeout(r, 5));
      },
      { core },
    );
    expect(trace).toEqual(["server got type 8 1000", "server closed 1000"]);
  });

  it("refuses a handshake on a plain route and a plain request on a WebSocket route", async () => {
    await serve(
      app(),
      function* (base) {
        const session = new ClientSession();
        try {
          let err: unknown = null;
          try {
            yield* session.wsConnect(`${base}/plain`);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(web.WSServerHandshakeError);
          expect((err as web.WSServerHandshakeError).status).toBe(200);
          const res = yield* session.get(`${base}/ws`);
          expect([res.status, yield* res.text()]).toEqual([400, "No WebSocket UPGRADE hdr"]);
        } finally {
          yield* session.close();
        }
      },
      { core },
    );
  });

  it("a handler cancelled by shutdown closes its WebSocket with 1001 (going away)", async () => {
    const trace: string[] = [];
    let code = 0;
    await serve(
      app(trace),
      async (base, runner) => {
        const ws = new WebSocket(base.replace("http", "ws") + "/forever");
        await new Promise((r) => ws.once("open", r));
        const closed = new Promise<void>((r) =>
          ws.once("close", (c: number) => {
            code = c;
            r();
          }),
        );
        await runner.cleanup(); // shutdownTimeout passes, the handler is cancelled
        await closed;
      },
      { core, server: { shutdownTimeout: 50 } },
    );
    expect(trace).toEqual(["forever finally"]);
    expect(code).toBe(1001);
  });
});
