// The tutorial's concurrent page fetcher: three pages fetched by three greenlets at once,
// so the whole run takes about as long as the slowest page, not the sum of the three.
//
// It must run offline, so the example starts its own three node:http servers on
// 127.0.0.1 that answer after 600, 200 and 400 ms (the tutorial fetched baidu, yahoo and
// github). The tutorial's requests.get, made cooperative by monkey.patch_all(), is
// Node's own fetch made an operation by gevent.cooperative(fetch).
//
//   npx tsx examples/gevent-fetch.ts
//
// Python:
//   from gevent import monkey; monkey.patch_all()
//   import requests, time, gevent
//   def get_page(url):
//       print('GET page: %s ' % url)
//       response = requests.get(url)
//       if response.status_code == 200:
//           print(response.text)
//   start_time = time.time()
//   g1 = gevent.spawn(get_page, url='https://www.baidu.com')
//   g2 = gevent.spawn(get_page, url='https://www.yahoo.com')
//   g3 = gevent.spawn(get_page, url='https://www.github.com')
//   gevent.joinall([g1, g2, g3])
//   stop_time = time.time()
//   print('run time is %s ' % (stop_time - start_time))
//
// Prints (ports vary):
//   GET page: http://127.0.0.1:41001/baidu
//   GET page: http://127.0.0.1:41002/yahoo
//   GET page: http://127.0.0.1:41003/github
//   yahoo's page, after 200 ms
//   github's page, after 400 ms
//   baidu's page, after 600 ms
//   run time is 0.6 s (the pages took 1.2 s in all)

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { run } from "spindle";
import * as gevent from "spindle/gevent";

/** Options of main. */
export interface Options {
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

/** The pages: name and how long its server takes to answer. */
const PAGES: Array<[name: string, ms: number]> = [
  ["baidu", 600],
  ["yahoo", 200],
  ["github", 400],
];

/** A local server that answers every request after `ms`. */
async function slowServer(name: string, ms: number): Promise<Server> {
  const server = createServer((req, res) => {
    setTimeout(
      () => {
        res.writeHead(200, { "content-type": "text/plain", connection: "close" });
        res.end(`${name}'s page, after ${ms} ms`);
      },
      req.url === "/warm-up" ? 0 : ms,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** Runs the program; returns the run time in ms. */
export async function main({ log = console.log }: Options = {}): Promise<number> {
  const servers = await Promise.all(PAGES.map(([name, ms]) => slowServer(name, ms)));
  const urls = servers.map(
    (s, i) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/${PAGES[i]![0]}`,
  );
  const gfetch = gevent.cooperative(fetch);
  const text = gevent.cooperative((res: Response) => res.text());

  function* getPage(url: string) {
    log(`GET page: ${url}`);
    const response = yield* gfetch(url); // other greenlets run while this one waits
    if (response.status === 200) log(yield* text(response));
  }

  try {
    // Node's fetch loads its HTTP client on first use: warm it up, so the run time below
    // measures the three fetches only.
    const port = (servers[0]!.address() as AddressInfo).port;
    await (await fetch(`http://127.0.0.1:${port}/warm-up`)).text();
    return await run(function* () {
      const start = performance.now();
      const gs = urls.map((url) => gevent.spawn(getPage, url));
      yield* gevent.joinAll(gs, { raiseError: true });
      const ms = performance.now() - start;
      const sum = PAGES.reduce((a, [, t]) => a + t, 0);
      log(
        `run time is ${(Math.round(ms / 100) / 10).toFixed(1)} s (the pages took ${sum / 1000} s in all)`,
      );
      return ms;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
