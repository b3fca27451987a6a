// The tutorial's gevent program: eat and play are spawned as greenlets and their sleeps
// overlap, so the 5 s and 6 s of sleeping take 6 s, not 11. Times shortened 10× here
// (500 ms and 600 ms: about 600 ms in all).
//
// The tutorial's point about monkey.patch_all() — blocking calls (time.sleep, sockets)
// must switch to the other greenlets instead of blocking the thread — is how spindle
// works anyway: every wait is a `yield*` of an operation, and while one greenlet waits the
// others run. Node's own Promise APIs join in through gevent.cooperative(fn).
//
//   npx tsx examples/gevent-eat-play.ts
//
// Python:
//   import gevent
//   from gevent import monkey; monkey.patch_all()
//   import time
//   def eat(name):
//       print('%s eat food first' % name)
//       time.sleep(5)
//       print('%s eat food second' % name)
//   def play(name):
//       print('%s play phone 1' % name)
//       time.sleep(6)
//       print('%s play phone 2' % name)
//   g1 = gevent.spawn(eat, 'egon')
//   g2 = gevent.spawn(play, name='egon')
//   g1.join()
//   g2.join()
//   print('主')
//
// Prints (real gevent prints the same order: test/reference/gevent/eat_play.txt):
//   egon eat food first
//   egon play phone 1
//   egon eat food second
//   egon play phone 2
//   主
//   took 600 ms, not 1100

import { pathToFileURL } from "node:url";
import { getRunningLoop, run } from "spindle";
import * as gevent from "spindle/gevent";

/** Options of main (the tests pass a virtual clock and a log that captures the lines). */
export interface Options {
  /** "real" (default) or "virtual" (the sleeps take no time; the clock still says 600). */
  clock?: "real" | "virtual";
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

/** Runs the program: two greenlets whose sleeps overlap. */
export async function main({ clock = "real", log = console.log }: Options = {}): Promise<void> {
  function* eat(name: string) {
    log(`${name} eat food first`);
    yield* gevent.sleep(500); // time.sleep(5), patched: the other greenlet runs meanwhile
    log(`${name} eat food second`);
  }

  function* play(name: string) {
    log(`${name} play phone 1`);
    yield* gevent.sleep(600);
    log(`${name} play phone 2`);
  }

  await run(
    function* () {
      const loop = getRunningLoop()!;
      const start = loop.time();
      const g1 = gevent.spawn(eat, "egon");
      const g2 = gevent.spawn(play, "egon"); // name='egon': keywords are passed by position
      yield* g1.join();
      yield* g2.join();
      log("主");
      // Rounded to 100 ms: the real clock adds a few ms of scheduling.
      log(`took ${Math.round((loop.time() - start) / 100) * 100} ms, not 1100`);
    },
    { clock },
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
