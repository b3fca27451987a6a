// The tutorial's greenlet program: `eat` and `play_phone` hand control to each other
// explicitly, with switch().
//
// Each greenlet runs until it switches to the other, and resumes where it left off when
// the other switches back: eat 1, play 1, eat 2, play 2. The first switch into a greenlet
// passes its function's arguments, so `name` is "egon啦啦啦" in eat and "alex飞飞飞" in
// play_phone (gr2.switch('alex飞飞飞') was the first switch into gr2). The output printed in
// the tutorial says "egon啦啦啦 play 1" / "egon啦啦啦 play 2": that is a slip, real greenlet
// prints "alex飞飞飞" there (test/reference/greenlet/eat_play.txt was printed by it).
//
// What changes in JavaScript: the functions are generator functions (function*) and every
// switch is written `yield* gr.switch(...)` — JavaScript can leave a function and come back
// only through a generator's yield, so that is where greenlets switch. The greenlets live
// inside a task: run() makes one, and the task itself is the main greenlet. Keyword
// arguments have no JS form: name=... is passed by position.
//
//   npx tsx examples/greenlet.ts
//
// Python:
//   def eat(name):
//       print('%s eat food 1' % name)
//       gr2.switch('alex飞飞飞')
//       print('%s eat food 2' % name)
//       gr2.switch()
//   def play_phone(name):
//       print('%s play 1' % name)
//       gr1.switch()
//       print('%s play 2' % name)
//   gr1 = greenlet(eat)
//   gr2 = greenlet(play_phone)
//   gr1.switch(name='egon啦啦啦')
//
// Prints:
//   egon啦啦啦 eat food 1
//   alex飞飞飞 play 1
//   egon啦啦啦 eat food 2
//   alex飞飞飞 play 2

import { pathToFileURL } from "node:url";
import { run } from "spindle";
import { greenlet } from "spindle/greenlet";

/** Options of main (the tests pass a virtual clock and a log that captures the lines). */
export interface Options {
  /** "real" (default) or "virtual": this example never sleeps, so both print the same. */
  clock?: "real" | "virtual";
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

/** Runs the program: eat and play_phone take turns by switching to each other. */
export async function main({ clock = "real", log = console.log }: Options = {}): Promise<void> {
  function* eat(name: string) {
    log(`${name} eat food 1`);
    yield* gr2.switch("alex飞飞飞");
    log(`${name} eat food 2`);
    yield* gr2.switch();
  }

  function* playPhone(name: string) {
    log(`${name} play 1`);
    yield* gr1.switch();
    log(`${name} play 2`);
  }

  // Made outside any task, as the tutorial makes them at module level: they join the task
  // that first switches to them, with its main greenlet as their parent.
  const gr1 = greenlet(eat);
  const gr2 = greenlet(playPhone);

  // play_phone returns after "play 2": control goes to its parent, the main greenlet, and
  // this switch returns. eat is left suspended at its second switch, as in Python.
  await run(
    function* () {
      yield* gr1.switch("egon啦啦啦"); // the first switch passes eat's arguments
    },
    { clock },
  );
}

// Run when executed directly (npx tsx examples/greenlet.ts), not when imported by a test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
