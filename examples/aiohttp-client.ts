// The tutorial's aiohttp client in spindle: a ClientSession GETs a URL and prints the
// status and the body. Python's `async with` blocks become try/finally: the session is
// closed, and reading the body gives the connection back to the pool.
//
//   npx tsx examples/aiohttp-client.ts http://127.0.0.1:9977/42
//
// Python (the tutorial):
//   async def get_html(url: str):
//       async with ClientSession() as session:
//           async with session.get(url) as res:
//               print(res.status)
//               print(await res.text())

import { pathToFileURL } from "node:url";
import { run } from "spindle";
import { ClientSession } from "spindle/http";

/** GETs `url` and prints its status and body. */
export function* getHtml(url: string, log: (line: string) => void = console.log) {
  const session = new ClientSession();
  try {
    const res = yield* session.get(url);
    log(String(res.status));
    log(yield* res.text());
  } finally {
    yield* session.close();
  }
}

/** Runs getHtml on a new loop. */
export async function main(url: string, log: (line: string) => void = console.log): Promise<void> {
  await run(getHtml(url, log));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv[2] ?? "http://127.0.0.1:9977/");
}
