// The HTTP examples run and print what their comments say: the tutorial's server and
// client (in this process, port 0), the same server as a child process stopped by SIGTERM
// (graceful: it exits 0), the JSON API, and the WebSocket echo.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main as tutorialClient } from "../../examples/aiohttp-client.js";
import { main as tutorialServer } from "../../examples/aiohttp-server.js";
import { makeApp as jsonApi } from "../../examples/json-api.js";
import { main as wsEcho } from "../../examples/websocket-echo.js";
import * as spindle from "spindle";
import * as pkg from "spindle/http";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("HTTP examples", () => {
  it("the tutorial's server and client: / is the path with 201, /{id} the id, matchInfo and queryString printed", async () => {
    const serverLines: string[] = [];
    const clientLines: string[] = [];
    const stop = new AbortController();
    let port = 0;
    const listening = new Promise<void>((resolve) => {
      void tutorialServer({
        host: "127.0.0.1",
        port: 0,
        log: (l) => serverLines.push(l),
        signal: stop.signal,
        onListening: (site) => {
          port = site.port;
          resolve();
        },
      }).then(() => serverLines.push("stopped"));
    });
    await listening;
    // The client runs on a loop of its own, as the tutorial's separate program does.
    await new Promise((r) => setTimeout(r, 0));
    await tutorialClient(`http://127.0.0.1:${port}/`, (l) => clientLines.push(l));
    await tutorialClient(`http://127.0.0.1:${port}/42?x=1&y=2`, (l) => clientLines.push(l));
    stop.abort();
    await new Promise((r) => setTimeout(r, 50));
    expect(clientLines).toEqual(["201", "/", "200", "42"]);
    expect(serverLines).toEqual([
      `======== Running on http://127.0.0.1:${port} ========\n(Press CTRL+C to quit)`,
      "<MatchInfo {'id': '42'}: <Route [GET] /{id} -> handle>>",
      "x=1&y=2",
      "stopped",
    ]);
  });

  it("the tutorial's server as a process: serves, and SIGTERM shuts it down gracefully (exit 0)", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "examples/aiohttp-server.ts"], {
      cwd: ROOT,
      env: { ...process.env, HOST: "127.0.0.1", PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once("exit", (code) => reject(new Error(`exited early (${code}): ${out}`)));
        setTimeout(() => reject(new Error(`no banner: ${out}`)), 20_000);
      });
      const res = await fetch(`http://127.0.0.1:${port}/7?a=b`, {
        headers: { connection: "close" },
      });
      expect([res.status, await res.text()]).toEqual([200, "7"]);
      const t0 = Date.now();
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(out).toContain("\na=b\n"); // the query string the handler printed
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("the JSON API: create, read, 400 on bad input, 404, 405 with Allow, delete", async () => {
    // The example imports spindle/http (the built package), so the test serves and
    // talks to it with the same build: one kernel, not two.
    const log: string[] = [];
    const stop = new AbortController();
    let port = 0;
    await new Promise<void>((resolve) => {
      void pkg.web.runApp(
        jsonApi((l) => log.push(l)),
        {
          host: "127.0.0.1",
          port: 0,
          print: null,
          handleSignals: false,
          signal: stop.signal,
          onListening: (site) => {
            port = site.port;
            resolve();
          },
        },
      );
    });
    await new Promise((r) => setTimeout(r, 0));
    await spindle.run(function* () {
      const session = new pkg.ClientSession({ baseUrl: `http://127.0.0.1:${port}` });
      try {
        const created = yield* session.post("/items", { json: { name: "tea" } });
        expect([created.status, yield* created.json()]).toEqual([201, { id: 1, name: "tea" }]);
        const got = yield* session.get("/items/1");
        expect(yield* got.json()).toEqual({ id: 1, name: "tea" });
        const bad = yield* session.post("/items", { json: { name: "" } });
        expect([bad.status, yield* bad.text()]).toEqual([400, "name: a non-empty string"]);
        const missing = yield* session.get("/items/9");
        expect(missing.status).toBe(404);
        missing.release();
        const wrong = yield* session.put("/items/1");
        expect([wrong.status, wrong.headers.get("allow")]).toEqual([405, "DELETE,GET,HEAD"]);
        wrong.release();
        const del = yield* session.delete("/items/1");
        expect(del.status).toBe(204);
        del.release();
        expect(yield* (yield* session.get("/items")).json()).toEqual([]);
      } finally {
        yield* session.close();
      }
    });
    stop.abort();
    expect(log.length).toBe(7);
    expect(log[0]).toMatch(/^POST \/items \d+\.\d ms$/);
  });

  it("the WebSocket echo prints the replies and the close code", async () => {
    const lines: string[] = [];
    await wsEcho((l) => lines.push(l));
    expect(lines).toEqual(["echo: hello", "echo: from", "echo: spindle", "closed with 1000"]);
  });
});
