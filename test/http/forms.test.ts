// request.post(): urlencoded and multipart forms through busboy, fields and files, repeated
// names; a form past clientMaxSize is a 413; bad JSON is a 400 (aiohttp 3.8 answers 500 —
// a deliberate difference, docs/http.md).

import { Agent, FormData, request } from "undici";
import { describe, expect, it } from "vitest";
import { web } from "../../src/http/index.js";
import { CORES, serve } from "./helpers.js";

function app(): web.Application {
  const a = new web.Application({ clientMaxSize: 64 * 1024 });
  a.router.addPost("/form", function* (request) {
    const form = yield* request.post();
    const out: Record<string, unknown> = {};
    for (const name of form.keys())
      out[name] = form
        .getAll(name)
        .map((v) =>
          v instanceof web.FileField ? `${v.filename}:${v.contentType}:${v.file.toString()}` : v,
        );
    return web.jsonResponse(out);
  });
  a.router.addPost("/json", async (request) => web.jsonResponse(await request.json()));
  return a;
}

describe.each(CORES)("forms (%s core)", (core) => {
  it("parses urlencoded and multipart forms with files; 413 past the limit; 400 on bad JSON", async () => {
    await serve(
      app(),
      async (base) => {
        const agent = new Agent();
        try {
          const url = await request(`${base}/form`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: "a=1&a=2&b=x%20y",
            dispatcher: agent,
          });
          expect(await url.body.json()).toEqual({ a: ["1", "2"], b: ["x y"] });
          const fd = new FormData();
          fd.append("name", "report");
          fd.append("file", new Blob(["file body"], { type: "text/plain" }), "r.txt");
          const multi = await request(`${base}/form`, {
            method: "POST",
            body: fd,
            dispatcher: agent,
          });
          expect(await multi.body.json()).toEqual({
            name: ["report"],
            file: ["r.txt:text/plain:file body"],
          });
          const big = new FormData();
          big.append("file", new Blob([Buffer.alloc(100 * 1024)]), "big.bin");
          const tooBig = await request(`${base}/form`, {
            method: "POST",
            body: big,
            dispatcher: agent,
          });
          expect(tooBig.statusCode).toBe(413);
          await tooBig.body.dump();
          const bad = await request(`${base}/json`, {
            method: "POST",
            body: "{bad",
            dispatcher: agent,
          });
          expect(bad.statusCode).toBe(400);
          expect(await bad.body.text()).toMatch(/^400: Bad Request \(invalid JSON/);
        } finally {
          await agent.close();
        }
      },
      { core },
    );
  });
});
