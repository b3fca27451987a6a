// Every snippet of docs/embedding.md, run where it says it runs — Node, Bun, Deno, a browser
// page, a Web Worker, a C host built with wasm2c — plus, in headless Chromium: the raw ABI
// example of docs/abi.md (instantiate and instantiateStreaming), the README's example bundled
// with esbuild for the browser, and a spindle/core program on both cores. What a browser
// prints is compared with the doc's output block or with the same bundle run on Node.

import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "puppeteer-core";
import {
  BIN,
  CHROMIUM_ARGS,
  ROOT,
  block,
  bundle,
  chromiumPath,
  consumer,
  exec,
  lines,
  serve,
} from "./hosts.js";

const WASM = "/node_modules/spindle/build/spindle.wasm";
const app = consumer();
afterAll(() => app.remove());

describe.concurrent("the program of docs/embedding.md, unchanged, on", () => {
  const main = app.write("main.mjs", block("docs/embedding.md", "embed-program"));
  const expected = lines(block("docs/embedding.md", "embed-program-output"));
  it.each([
    ["Node", process.execPath, [main]],
    ["Bun", BIN("bun"), [main]],
    ["Deno (no permissions)", BIN("deno"), ["run", main]],
  ])("%s", async (_, bin, args) => {
    const out = await exec(bin, args, { cwd: app.dir });
    expect(out.code, out.stderr).toBe(0);
    expect(lines(out.stdout)).toEqual(expected);
  });

  it("Deno: reading the core's file without --allow-read is 'denied', naming the flag", async () => {
    const file = app.write("read-core.mjs", block("docs/embedding.md", "embed-deno"));
    const out = await exec(BIN("deno"), ["run", file], { cwd: app.dir });
    expect(out.code, out.stderr).toBe(0);
    expect(lines(out.stdout)).toEqual(lines(block("docs/embedding.md", "embed-deno-output")));
  });
});

describe("a C host through wasm2c", () => {
  it("compiles the doc's host.c against the core and prints the ABI example's lines", async () => {
    const tools = await Promise.all([exec("wasm2c", ["--version"]), exec("cc", ["--version"])]);
    expect(
      tools.map((t) => t.code),
      "wasm2c and cc are needed (Debian: apt-get install wabt gcc; .ci/run installs them)",
    ).toEqual([0, 0]);
    const rt = ["/usr/share/wabt/wasm2c", "/usr/src/wasm2c"].find((d) =>
      existsSync(`${d}/wasm-rt-impl.c`),
    );
    expect(rt, "wabt's wasm-rt-impl.c is missing (Debian package wabt)").toBeDefined();
    const host = app.write("host.c", block("docs/embedding.md", "embed-c"));
    const c = `${app.dir}/spindle.c`;
    const w = await exec("wasm2c", [`${ROOT}build/spindle.wasm`, "-n", "spindle", "-o", c]);
    expect(w.code, w.stderr).toBe(0);
    const exe = `${app.dir}/host`;
    const cc = await exec(
      "cc",
      ["-O1", `-I${rt}`, host, c, `${rt}/wasm-rt-impl.c`, "-lm", "-o", exe],
      {
        timeout: 120_000,
      },
    );
    expect(cc.code, cc.stderr).toBe(0);
    const out = await exec(exe, []);
    expect(out.code, out.stderr).toBe(0);
    const expected = lines(block("docs/embedding.md", "embed-c-output"));
    expect(lines(out.stdout)).toEqual(expected);
    expect(expected).toEqual(lines(block("docs/abi.md", "abi-example-output")));
  }, 180_000);
});

describe("headless Chromium", () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serve>>;
  /** The README's example, bundled for the browser; and the same bundle's lines on Node. */
  let readme: { js: string; node: string[] };
  let coreProgram: { js: string; node: string[] };
  let green: { js: string; node: string[] };

  beforeAll(async () => {
    const puppeteer = await import("puppeteer-core");
    const executablePath = await chromiumPath();
    const readmeEntry = app.write("readme.ts", readmeExample());
    const coreEntry = app.write("core-program.mjs", CORE_PROGRAM);
    const workerEntry = app.write("worker.mjs", block("docs/embedding.md", "embed-worker"));
    const nodeOnlyEntry = app.write("node-only.mjs", NODE_ONLY_PROGRAM);
    const greenEntry = app.write("green.mjs", GREEN_PROGRAM);
    const [readmeJs, coreJs, workerJs, nodeOnlyJs, greenJs] = await Promise.all(
      [readmeEntry, coreEntry, workerEntry, nodeOnlyEntry, greenEntry].map(bundle),
    );
    const onNode = async (name: string, js: string): Promise<string[]> => {
      const file = app.write(name, js);
      const out = await exec(process.execPath, [file], { cwd: app.dir });
      expect(out.code, out.stderr).toBe(0);
      return lines(out.stdout);
    };
    readme = { js: readmeJs!, node: await onNode("readme.bundle.mjs", readmeJs!) };
    coreProgram = { js: coreJs!, node: await onNode("core.bundle.mjs", coreJs!) };
    green = { js: greenJs!, node: await onNode("green.bundle.mjs", greenJs!) };
    const page = (script: string): string =>
      `<!doctype html><script type="module">${script}</script>`;
    server = await serve({
      "/readme.js": readme.js,
      "/readme.html": page(`await import("/readme.js"); console.log("END");`),
      "/core.js": coreProgram.js,
      "/core.html": page(`await import("/core.js"); console.log("END");`),
      "/abi.html": page(
        `const bytes = await (await fetch("${WASM}")).arrayBuffer();\n` +
          block("docs/abi.md", "abi-example") +
          `\nconsole.log("END");`,
      ),
      "/streaming.html": page(
        `const { instance } = await WebAssembly.instantiateStreaming(fetch("${WASM}"), {});\n` +
          `instance.exports.init(); const id = instance.exports.spawn();\n` +
          `console.log("abi " + instance.exports.abiVersion() + ", first id " + id); console.log("END");`,
      ),
      "/embed.html": block("docs/embedding.md", "embed-browser"),
      "/node-only.js": nodeOnlyJs!,
      "/green.js": green.js,
      "/green.html": page(`await import("/green.js"); console.log("END");`),
      "/node-only.html": page(`await import("/node-only.js"); console.log("END");`),
      "/worker.js": workerJs!,
      "/worker.html": page(
        block("docs/embedding.md", "embed-worker", 1).replace(
          "console.log(JSON.stringify(data))",
          '(console.log(JSON.stringify(data)), console.log("END"))',
        ),
      ),
    });
    browser = await puppeteer.launch({
      executablePath,
      args: CHROMIUM_ARGS,
      headless: true,
      userDataDir: `${app.dir}/chromium-profile`,
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens a page and returns what it logged up to "END" (errors fail the test). */
  async function logged(path: string): Promise<string[]> {
    const page = await browser.newPage();
    const out: string[] = [];
    const errors: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      page.on("console", (m) => (m.text() === "END" ? resolve() : void out.push(m.text())));
      page.on("pageerror", (e) => reject(new Error(`${path}: ${String(e)}`)));
      page.on("requestfailed", (r) => errors.push(`${r.url()} ${r.failure()?.errorText}`));
    });
    await page.goto(`${server.url}${path}`);
    await Promise.race([
      done,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`${path}: no END in 20 s; ${errors}`)), 20_000),
      ),
    ]);
    await page.close();
    return out;
  }

  it("runs the raw ABI example of docs/abi.md as written (WebAssembly.instantiate)", async () => {
    expect(await logged("/abi.html")).toEqual(lines(block("docs/abi.md", "abi-example-output")));
  });

  it("instantiates the core with instantiateStreaming from a Response served as application/wasm", async () => {
    expect(await logged("/streaming.html")).toEqual(["abi 2, first id 0"]);
  });

  it("runs the README's example bundled with esbuild for the browser, as Node runs the bundle", async () => {
    const out = await logged("/readme.html");
    expect(out).toEqual(readme.node);
    expect(out.length).toBeGreaterThan(1);
  });

  it("runs a spindle/core program on both cores (after initCore from a fetch)", async () => {
    const out = await logged("/core.html");
    expect(out).toEqual(coreProgram.node);
    // Both cores print the same lines.
    const of = (kind: string): string[] =>
      out.filter((l) => l.startsWith(`${kind} `)).map((l) => l.slice(kind.length));
    expect(of("wasm")).toEqual(of("ts"));
    expect(of("wasm").length).toBeGreaterThan(0);
  });

  it("runs the page of docs/embedding.md (import map, no bundler): a queue program", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    await page.goto(`${server.url}/embed.html`);
    // Page functions run in the browser: `document` is the page's (no DOM types here).
    const bodyText = "document.body ? document.body.textContent : ''";
    await page
      .waitForFunction(`(${bodyText}).includes("total")`, { timeout: 20_000 })
      .catch((e: unknown) => {
        throw new Error(`embed.html: ${String(e)}; page errors: ${errors.join("; ")}`);
      });
    const text = String(await page.evaluate(bodyText));
    await page.close();
    expect(lines(text)).toEqual(lines(block("docs/embedding.md", "embed-program-output")));
  });

  it("runs spindle/greenlet and spindle/gevent programs, as Node runs the bundle", async () => {
    const out = await logged("/green.html");
    expect(out).toEqual(green.node);
    expect(out).toContain("main after 6000 ms"); // the two gevent sleeps overlapped
  });

  it("says the executor is Node-only (NodeOnlyError) when a page uses it", async () => {
    expect(await logged("/node-only.html")).toEqual([
      "ThreadPoolExecutor: NodeOnlyError",
      "runInExecutor: NodeOnlyError",
    ]);
  });

  it("runs the Web Worker of docs/embedding.md", async () => {
    expect(await logged("/worker.html")).toEqual(
      lines(block("docs/embedding.md", "embed-worker-output")),
    );
  });
});

/** The README's first TypeScript example. */
function readmeExample(): string {
  const readme = readFileSync(`${ROOT}README.md`, "utf8");
  const m = /```ts\n([\s\S]*?)```/.exec(readme);
  if (m === null) throw new Error("README.md has no ts example");
  return m[1]!;
}

/** greenlet's explicit switches, then gevent's spawn/sleep/join (the tutorial's programs). */
const GREEN_PROGRAM = `
import { getRunningLoop, run } from "spindle";
import { greenlet } from "spindle/greenlet";
import * as gevent from "spindle/gevent";

function* eat(name) {
  console.log(name + " eat food 1");
  yield* gr2.switch("alex");
  console.log(name + " eat food 2");
  yield* gr2.switch();
}
function* playPhone(name) {
  console.log(name + " play 1");
  yield* gr1.switch();
  console.log(name + " play 2");
}
const gr1 = greenlet(eat);
const gr2 = greenlet(playPhone);
await run(function* () {
  yield* gr1.switch("egon");
}, { clock: "virtual" });

function* geat(name) {
  console.log(name + " eat food first");
  yield* gevent.sleep(5000);
  console.log(name + " eat food second");
}
function* gplay(name) {
  console.log(name + " play phone 1");
  yield* gevent.sleep(6000);
  console.log(name + " play phone 2");
}
await run(function* () {
  const g1 = gevent.spawn(geat, "egon");
  const g2 = gevent.spawn(gplay, "egon");
  yield* g1.join();
  yield* g2.join();
  console.log("main after " + getRunningLoop().time() + " ms");
}, { clock: "virtual" });
`;

/** The executor in a page: the root entry exports it; using it says it is Node-only. */
const NODE_ONLY_PROGRAM = `
import { ThreadPoolExecutor, run, runInExecutor } from "spindle";

try {
  new ThreadPoolExecutor();
} catch (e) {
  console.log("ThreadPoolExecutor: " + e.name);
}
await run(function* () {
  try {
    yield* runInExecutor("data:text/javascript,export const f = () => 1", "f");
  } catch (e) {
    console.log("runInExecutor: " + e.name);
  }
});
`;

/** spindle/core on both cores: the README's core example, then a queue run on each. */
const CORE_PROGRAM = `
import { createCore, initCore } from "spindle/core";
import { Queue, createTask, run, sleep } from "spindle";

// In a page, stream the published .wasm; on Node, the embedded bytes.
await initCore(globalThis.document ? fetch("${WASM}") : undefined);
for (const kind of ["wasm", "ts"]) {
  const core = createCore(kind);
  const a = core.spawn();
  const b = core.spawn();
  core.sleepUntil(a, 20);
  core.sleepUntil(b, 10);
  const fired = core.advance(25);
  console.log(kind, "ids", a, b, "fired", fired, core.nextReady() === b, core.nextReady() === a);
  const order = [];
  const sum = await run(function* () {
    const q = new Queue({ maxsize: 1 });
    const consumer = createTask(function* () {
      let s = 0;
      for (let i = 0; i < 3; i++) {
        const x = yield* q.get();
        order.push("get " + x);
        s += x;
      }
      return s;
    });
    for (const x of [1, 2, 3]) {
      yield* q.put(x);
      order.push("put " + x);
      yield* sleep(1);
    }
    return yield* consumer;
  }, { core: kind, clock: "virtual" });
  console.log(kind, order.join(", "), "sum", sum);
}
`;
