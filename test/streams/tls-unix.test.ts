// TLS (a self-signed certificate made for the test with the openssl CLI) and Unix sockets:
// the same streams, their extras, and a failed handshake that leaves the server serving.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect as rawConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  OSError,
  fromPromise,
  openConnection,
  openUnixConnection,
  run,
  sleep,
  startServer,
  startUnixServer,
  type StreamReader,
  type StreamWriter,
} from "../../src/index.js";
import { CORES, fdCount, portOf, settle } from "./helpers.js";

let dir = "";
let key = "";
let cert = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "spindle-streams-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  key = readFileSync(join(dir, "key.pem"), "utf8");
  cert = readFileSync(join(dir, "cert.pem"), "utf8");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function* lineEcho(reader: StreamReader, writer: StreamWriter) {
  for (;;) {
    const line = yield* reader.readline();
    if (line.length === 0) break;
    writer.write(line);
    yield* writer.drain();
  }
}

function* caught(op: Iterable<unknown>): Generator<never, unknown, unknown> {
  try {
    yield* op as Generator<never>;
  } catch (e) {
    return e;
  }
  return "no error";
}

describe.each(CORES)("%s core", (core) => {
  const opts = { core, clock: "real" } as const;

  test("TLS: echo over a self-signed certificate, peercert, no writeEof", async () => {
    const fds = fdCount();
    const got = await run(function* () {
      const server = yield* startServer(lineEcho, "127.0.0.1", 0, { ssl: { key, cert } });
      const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server), {
        ssl: { ca: cert, servername: "localhost" },
      });
      writer.write("secret\n");
      const line = (yield* reader.readline()).toString();
      const peercert = writer.getExtraInfo("peercert") as { subject: { CN: string } };
      const canEof = writer.canWriteEof();
      writer.close();
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
      return [line, peercert.subject.CN, canEof];
    }, opts);
    expect(got).toEqual(["secret\n", "localhost", false]);
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("TLS: a failed handshake ends that connection only; the server serves on", async () => {
    const fds = fdCount();
    const got = await run(function* () {
      const server = yield* startServer(lineEcho, "127.0.0.1", 0, { ssl: { key, cert } });
      const port = portOf(server);
      // A client that does not trust the certificate.
      const untrusted = yield* caught(openConnection("127.0.0.1", port, { ssl: true }));
      // A client that speaks plain text to the TLS port.
      const raw = rawConnect({ host: "127.0.0.1", port });
      raw.on("error", () => {});
      raw.write("GET / HTTP/1.0\r\n\r\n");
      yield* fromPromise(new Promise((r) => raw.once("close", r)));
      yield* sleep(10);
      const [reader, writer] = yield* openConnection("127.0.0.1", port, {
        ssl: { ca: cert, servername: "localhost" },
      });
      writer.write("after\n");
      const line = (yield* reader.readline()).toString();
      writer.close();
      server.close();
      yield* server.waitClosed();
      return [untrusted, line];
    }, opts);
    expect(got[0]).toBeInstanceOf(OSError);
    expect((got[0] as OSError).code).toMatch(/CERT|SIGNED/);
    expect(got[1]).toBe("after\n");
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("Unix sockets: echo, peername and sockname are paths", async () => {
    const fds = fdCount();
    const path = join(dir, `echo-${core}.sock`);
    const got = await run(function* () {
      const names: unknown[] = [];
      const server = yield* startUnixServer(function* (reader, writer) {
        names.push(writer.getExtraInfo("sockname"), writer.getExtraInfo("peername"));
        yield* lineEcho(reader, writer);
      }, path);
      expect(server.address()).toBe(path);
      const [reader, writer] = yield* openUnixConnection(path);
      names.push(writer.getExtraInfo("peername"));
      writer.write("over unix\n");
      const line = (yield* reader.readline()).toString();
      writer.close();
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
      return [line, ...names];
    }, opts);
    expect(got).toEqual(["over unix\n", path, "", path]);
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });
});
