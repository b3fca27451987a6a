// Static files through send: GET, HEAD, ranges, ETag and 304, FileResponse — and path
// traversal refused in its plain and encoded forms (raw sockets: an HTTP client would
// normalise the path before sending it).

import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { web } from "../../src/http/index.js";
import { CORES, serve } from "./helpers.js";

let dir: string;
let outside: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "spindle-static-"));
  mkdirSync(join(dir, "public"));
  writeFileSync(join(dir, "public", "hello.txt"), "hello, static world\n");
  writeFileSync(join(dir, "secret.txt"), "SECRET");
  outside = join(dir, "secret.txt");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rawGet(base: string, path: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname);
    let out = "";
    s.on("data", (c) => (out += c.toString("latin1")));
    s.on("error", reject);
    s.on("close", () => resolve(out));
    s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

function app(): web.Application {
  const a = new web.Application();
  a.router.addStatic("/static", join(dir, "public"));
  a.router.addGet("/file", function* () {
    return new web.FileResponse(join(dir, "public", "hello.txt"));
  });
  a.router.addGet("/nofile", function* () {
    return new web.FileResponse(join(dir, "public", "missing.txt"));
  });
  return a;
}

describe.each(CORES)("static files (%s core)", (core) => {
  it("serves files with type, length, ETag; HEAD, ranges, 304; 404 for a missing one", async () => {
    await serve(
      app(),
      async (base) => {
        const agent = new Agent();
        try {
          const r = await request(`${base}/static/hello.txt`, { dispatcher: agent });
          expect(r.statusCode).toBe(200);
          expect(await r.body.text()).toBe("hello, static world\n");
          expect(r.headers["content-type"]).toBe("text/plain; charset=utf-8");
          const etag = r.headers["etag"] as string;
          expect(etag).toBeTruthy();
          const h = await request(`${base}/static/hello.txt`, {
            method: "HEAD",
            dispatcher: agent,
          });
          expect([h.statusCode, h.headers["content-length"], await h.body.text()]).toEqual([
            200,
            "20",
            "",
          ]);
          const range = await request(`${base}/static/hello.txt`, {
            headers: { range: "bytes=0-4" },
            dispatcher: agent,
          });
          expect([range.statusCode, await range.body.text()]).toEqual([206, "hello"]);
          const cond = await request(`${base}/static/hello.txt`, {
            headers: { "if-none-match": etag },
            dispatcher: agent,
          });
          expect(cond.statusCode).toBe(304);
          await cond.body.dump();
          const f = await request(`${base}/file`, { dispatcher: agent });
          expect([f.statusCode, await f.body.text()]).toEqual([200, "hello, static world\n"]);
          const missing = await request(`${base}/static/nope.txt`, { dispatcher: agent });
          expect([missing.statusCode, await missing.body.text()]).toEqual([404, "404: Not Found"]);
          const nofile = await request(`${base}/nofile`, { dispatcher: agent });
          expect(nofile.statusCode).toBe(404);
          await nofile.body.dump();
        } finally {
          await agent.close();
        }
      },
      { core },
    );
  });

  it("refuses path traversal, plain and encoded, and never sends a file outside the root", async () => {
    await serve(
      app(),
      async (base) => {
        const attempts = [
          "/static/../secret.txt",
          "/static/../../../../etc/passwd",
          "/static/%2e%2e/secret.txt",
          "/static/%2E%2E%2Fsecret.txt",
          "/static/..%2fsecret.txt",
          "/static/..%5csecret.txt",
          "/static/%252e%252e/secret.txt",
          "/static/hello.txt%00.png",
          "/static//etc/passwd",
        ];
        for (const path of attempts) {
          const res = await rawGet(base, path);
          const status = Number(res.slice(9, 12));
          expect([400, 403, 404], `${path} -> ${status}`).toContain(status);
          expect(res).not.toContain("SECRET");
          expect(res).not.toContain("root:");
        }
        expect(outside).toBeTruthy();
        expect(await rawGet(base, "/static/hello.txt")).toMatch(/^HTTP\/1\.1 200/);
      },
      { core },
    );
  });
});
