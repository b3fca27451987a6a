// spindle/greenlet against real greenlet: each program under test/reference/greenlet/ has
// a translation here, line for line, and prints the same trace (the .txt beside it, made
// by the command on the .py's first line); scripts.py's random scripts are run by the same
// small interpreter on both sides. Python's prints are reproduced by two helpers:
// `fmt` is the .py's own fmt (with the JS mapping: () and None → undefined, a tuple → an
// array), and `py` is Python's str() for the other values a program prints (True, None).
// Each runs on both cores, on the virtual clock.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { createTask, run, type Operation } from "../../src/index.js";
import {
  GreenletError,
  GreenletExit,
  InvalidParentError,
  getcurrent,
  greenlet,
  type Greenlet,
} from "../../src/greenlet/index.js";

type Log = (line: string) => void;

/** The reference trace of test/reference/greenlet/<name>.py. */
function reference(name: string): string[] {
  const url = new URL(`../reference/greenlet/${name}.txt`, import.meta.url);
  return readFileSync(url, "utf8").trimEnd().split("\n");
}

/** Python's ValueError, so the traces name the same class. */
class ValueError extends Error {
  override name = "ValueError";
}

/** The .py files' fmt(). */
function fmt(v: unknown): string {
  if (v === undefined || v === null) return "undefined";
  if (Array.isArray(v)) return `[${v.map(fmt).join(", ")}]`;
  if (v instanceof Error) return v.message === "" ? v.name : `${v.name}(${v.message})`;
  return String(v);
}

/** Python's str() of a bool, None or list of bools. */
function py(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (Array.isArray(v)) return `[${v.map(py).join(", ")}]`;
  return String(v);
}

// ── the translations ──────────────────────────────────────────────────────────────────

function* eatPlay(log: Log): Operation<void> {
  const gr1: Greenlet = greenlet(function* eat(name: string) {
    log(`${name} eat food 1`);
    yield* gr2.switch("alex飞飞飞");
    log(`${name} eat food 2`);
    yield* gr2.switch();
  });
  const gr2: Greenlet = greenlet(function* playPhone(name: string) {
    log(`${name} play 1`);
    yield* gr1.switch();
    log(`${name} play 2`);
  });
  yield* gr1.switch("egon啦啦啦"); // Python: gr1.switch(name='egon啦啦啦')
}

function* values(log: Log): Operation<void> {
  const main = getcurrent();
  const w = greenlet(function* worker(a: number, b: number) {
    log(`worker starts with ${fmt(a)} ${fmt(b)}`);
    let got = yield* main.switch(a + b);
    log(`worker got ${fmt(got)}`);
    got = yield* main.switch();
    log(`worker got ${fmt(got)}`);
    got = yield* main.switch("x", "y");
    log(`worker got ${fmt(got)}`);
    log(`worker switches to itself: ${fmt(yield* getcurrent().switch("me"))}`);
    return "worker result";
  });
  log(`main got ${fmt(yield* w.switch(1, 2))}`);
  log(`main got ${fmt(yield* w.switch("one"))}`);
  log(`main got ${fmt(yield* w.switch())}`);
  log(`main got ${fmt(yield* w.switch(3, 4, 5))}`);
  log(`worker dead: ${py(w.dead)}`);
  log(`switch to dead, one value: ${fmt(yield* w.switch("a"))}`);
  log(`switch to dead, none: ${fmt(yield* w.switch())}`);
  log(`switch to dead, two values: ${fmt(yield* w.switch("a", "b"))}`);
  log(`main switches to itself: ${fmt(yield* main.switch(7))}`);
  const noreturn = greenlet(function* noreturn() {
    log("noreturn runs");
  });
  log(`a greenlet without return gives ${fmt(yield* noreturn.switch())}`);
}

function* parents(log: Log): Operation<void> {
  const main = getcurrent();

  // Nested: inner is made inside outer, so outer is its parent.
  const OUTER = greenlet(function* outer() {
    const g = greenlet(function* inner(x: number) {
      log(`inner: parent is outer: ${py(getcurrent().parent === OUTER)}`);
      return x * 10;
    });
    log(`outer: inner returned ${String(yield* g.switch(4))}`);
    return "outer done";
  });
  log(`main: outer returned ${String(yield* OUTER.switch())}`);

  // A ring: a -> b -> c -> a, each switching to the next directly.
  const RING: Record<string, Greenlet> = {};
  const ring = (name: string, nxt: string) =>
    function* (v: number) {
      while (v < 6) {
        log(`${name} got ${v}`);
        v = (yield* RING[nxt]!.switch(v + 1)) as number;
      }
      return `${name} stops at ${v}`;
    };
  for (const [n, m] of [
    ["a", "b"],
    ["b", "c"],
    ["c", "a"],
  ] as const)
    RING[n] = greenlet(ring(n, m));
  log(`main: ring ended: ${String(yield* RING["a"]!.switch(0))}`);
  log(`dead: ${py(["a", "b", "c"].map((n) => RING[n]!.dead))}`);

  // The return goes to the parent, not to the switcher.
  const C = greenlet(function* collector() {
    for (;;) {
      const v = yield* main.switch("collector ready");
      log(`collector collected ${fmt(v)}`);
    }
  });
  log(`main: ${String(yield* C.switch())}`);
  function* job(x: number) {
    log(`job runs, parent is collector: ${py(getcurrent().parent === C)}`);
    return `job result ${x}`;
  }
  const J = greenlet(job, C);
  log(`main: after job: ${String(yield* J.switch(1))}`);

  // Reassigning the parent.
  const K = greenlet(job);
  log(`main: K parent is main: ${py(K.parent === main)}`);
  K.parent = C;
  log(`main: after K: ${String(yield* K.switch(2))}`);

  // Switch to a dead greenlet whose parent is alive and not the caller.
  log(`main: switch to dead job: ${String(yield* J.switch("late"))}`);

  // Cycles, and the main greenlet's parent.
  const A = greenlet(job);
  const B = greenlet(job, A);
  for (const [child, parent] of [
    [A, B],
    [A, A],
  ] as const) {
    try {
      child.parent = parent;
    } catch (e) {
      if (!(e instanceof InvalidParentError)) throw e;
      log(`refused: ${e.message}`);
    }
  }
  try {
    main.parent = A;
  } catch (e) {
    if (!(e instanceof InvalidParentError)) throw e;
    log(`refused: ${e.message}`);
  }
  log(`main parent: ${py(main.parent)}`);

  // A child's return value starts its unstarted parent.
  const P = greenlet(function* latePparent(v: string) {
    log(`late parent started with ${v}`);
    return "late parent done";
  });
  const Q = greenlet(function* () {
    return "child value";
  }, P);
  log(`main: ${String(yield* Q.switch())}`);
  log(`P dead: ${py(P.dead)} Q dead: ${py(Q.dead)}`);
}

function* exceptions(log: Log): Operation<void> {
  const main = getcurrent();
  function* fails(): Generator<never, never> {
    log("fails runs");
    throw new ValueError("boom");
  }
  try {
    yield* greenlet(fails).switch();
  } catch (e) {
    log(`main caught ${fmt(e)}`);
  }

  // The exception goes to the parent, which handles it and goes on.
  const S = greenlet(function* supervisor() {
    for (;;) {
      try {
        const v = yield* main.switch("supervisor waiting");
        log(`supervisor got ${fmt(v)}`);
      } catch (e) {
        if (!(e instanceof ValueError)) throw e;
        log(`supervisor caught ${fmt(e)}`);
      }
    }
  });
  log(`main: ${String(yield* S.switch())}`);
  log(`main: ${String(yield* greenlet(fails, S).switch())}`);

  // Past an unstarted parent: it dies unrun, and the exception goes on to its parent.
  const U = greenlet(function* () {
    log("never printed");
  });
  try {
    yield* greenlet(fails, U).switch();
  } catch (e) {
    log(`main caught ${fmt(e)} and U is dead: ${py(U.dead)}`);
  }

  // throw() into a suspended greenlet: raised at its pending switch.
  const C = greenlet(function* catcher() {
    let reply = "catcher ready";
    for (;;) {
      try {
        const v = yield* main.switch(reply);
        log(`catcher got ${fmt(v)}`);
        reply = "catcher ready";
      } catch (e) {
        if (!(e instanceof ValueError)) throw e;
        log(`catcher caught ${fmt(e)}`);
        reply = "catcher handled it";
      }
    }
  });
  log(`main: ${String(yield* C.switch())}`);
  log(`main: ${String(yield* C.switch("a value"))}`);
  log(`main: ${String(yield* C.throw(new ValueError("thrown in")))}`);
  log(`main: ${String(yield* C.throw(ValueError))}`); // a class is instantiated

  // throw() into an unstarted greenlet: it dies without running.
  const N = greenlet(function* () {
    log("never printed");
  });
  try {
    yield* N.throw(new ValueError("too early"));
  } catch (e) {
    log(`main caught ${fmt(e)} and N is dead: ${py(N.dead)}`);
  }
  const unstarted = greenlet(function* () {});
  log(`throw() into an unstarted greenlet returns ${fmt(yield* unstarted.throw())}`);

  // GreenletExit: the default; the killed greenlet's finally runs; the parent gets the
  // exception object, or what the greenlet returned if it caught it.
  function* killable() {
    try {
      yield* main.switch("killable ready");
    } finally {
      log("killable: finally");
    }
  }
  const K = greenlet(killable);
  log(`main: ${String(yield* K.switch())}`);
  log(`main: kill returned ${fmt(yield* K.throw())} dead: ${py(K.dead)}`);

  const V = greenlet(function* survivor() {
    try {
      yield* main.switch("survivor ready");
    } catch (e) {
      if (!(e instanceof GreenletExit)) throw e;
      log(`survivor caught ${fmt(e)}`);
      return "survivor result";
    }
  });
  log(`main: ${String(yield* V.switch())}`);
  log(`main: kill returned ${fmt(yield* V.throw())}`);
  const bye = yield* greenlet(killable).throw(new GreenletExit("bye"));
  log(`main: kill with a message returned ${fmt(bye)}`);

  const raisesExit = greenlet(function* () {
    throw new GreenletExit("raised inside");
  });
  log(`main: GreenletExit raised inside gives ${fmt(yield* raisesExit.switch())}`);

  // throw() into a dead greenlet goes to its parent: here, raised in main.
  try {
    yield* K.throw(new ValueError("into the dead"));
  } catch (e) {
    log(`main caught ${fmt(e)}`);
  }
  log(`main: GreenletExit into the dead gives ${fmt(yield* K.throw())}`);

  // A greenlet throwing into itself: raised at once.
  const selfThrower = greenlet(function* () {
    try {
      yield* getcurrent().throw(new ValueError("at myself"));
    } catch (e) {
      log(`self_thrower caught ${fmt(e)}`);
    }
    return "self_thrower done";
  });
  log(`main: ${String(yield* selfThrower.switch())}`);
}

function* finallyBlocks(log: Log): Operation<void> {
  const main = getcurrent();
  function* layered() {
    try {
      try {
        yield* main.switch("layered suspended");
      } finally {
        log("layered: inner finally");
      }
    } finally {
      log("layered: outer finally");
    }
  }
  const L = greenlet(layered);
  log(`main: ${String(yield* L.switch())}`);
  log(`main: killed: ${fmt(yield* L.throw())}`);

  const L2 = greenlet(layered);
  log(`main: ${String(yield* L2.switch())}`);
  try {
    yield* L2.throw(new ValueError("through"));
  } catch (e) {
    log(`main caught ${fmt(e)}`);
  }

  // A kill that switches: the dying greenlet talks to a logger before it goes.
  const LOG = greenlet(function* logger() {
    for (;;) {
      const line = yield* getcurrent().parent!.switch("logger ready");
      log(`logger: ${String(line)}`);
    }
  });
  log(`main: ${String(yield* LOG.switch())}`);
  const CH = greenlet(function* chatty() {
    try {
      yield* main.switch("chatty suspended");
    } finally {
      LOG.parent = getcurrent();
      log(`chatty: back from logger: ${String(yield* LOG.switch("chatty is dying"))}`);
    }
  });
  log(`main: ${String(yield* CH.switch())}`);
  log(`main: killed: ${fmt(yield* CH.throw())} dead: ${py(CH.dead)}`);

  // Returning through finally.
  const returns = greenlet(function* () {
    try {
      return "returned";
    } finally {
      log("returns: finally");
    }
  });
  log(`main: ${String(yield* returns.switch())}`);

  // Task end (greenlet: thread end): the greenlet left suspended never runs its finally.
  const left: Greenlet[] = [];
  yield* createTask(function* threadMain() {
    const me = getcurrent();
    const g = greenlet(function* suspended() {
      try {
        yield* me.switch("suspended in the thread");
      } finally {
        log("never printed: finally of a greenlet of a finished thread");
      }
    });
    log(`thread: ${String(yield* g.switch())}`);
    left.push(g);
    log(`thread: ends, g dead: ${py(g.dead)}`);
  });
  log(`main: after the thread, g dead: ${py(left[0]!.dead)}`);
  try {
    yield* left[0]!.switch();
  } catch (e) {
    if (!(e instanceof GreenletError)) throw e;
    log("main: switch refused (greenlet.error)");
  }
}

// scripts.py: random actions, run by the same interpreter on both sides.

type Action = ["switch", number, string] | ["throw", number] | ["kill", number] | ["raise"];
interface Script {
  parents: number[];
  programs: Action[][];
  main: Action[];
}

/** The scripts of scripts.txt (each on its `script` line), with the lines each printed. */
function scripts(): Array<{ script: Script; trace: string[] }> {
  const out: Array<{ script: Script; trace: string[] }> = [];
  for (const line of reference("scripts")) {
    if (line.startsWith("script ")) out.push({ script: JSON.parse(line.slice(7)), trace: [] });
    else out.at(-1)!.trace.push(line);
  }
  return out;
}

function* runScript(script: Script, log: Log): Operation<void> {
  const main = getcurrent();
  const gs: Greenlet[] = [];
  const name = (who: number) => (who === -1 ? "main" : `g${who}`);
  const target = (k: number) => (k === -1 ? main : gs[k]!);
  // A helper that switches is a generator, run with yield* (the yield* rule).
  function* step(who: number, a: Action): Operation<void> {
    if (a[0] === "raise") throw new ValueError(`raised by ${name(who)}`);
    try {
      let v: unknown;
      if (a[0] === "switch") v = yield* target(a[1]).switch(a[2]);
      else if (a[0] === "throw")
        v = yield* target(a[1]).throw(new ValueError(`thrown by ${name(who)}`));
      else v = yield* target(a[1]).throw();
      log(`${name(who)} got ${fmt(v)}`);
    } catch (e) {
      if (e instanceof ValueError) log(`${name(who)} caught ${fmt(e)}`);
      else if (!(e instanceof GreenletExit)) throw e;
      else if (who === -1) log(`main caught ${fmt(e)}`);
      else {
        log(`${name(who)} killed`);
        throw e;
      }
    }
  }
  const body = (i: number) =>
    function* (...args: unknown[]) {
      // A greenlet started by a GreenletExit as a value gets no arguments at all.
      log(`g${i} starts with ${fmt(args[0])}`);
      for (const a of script.programs[i]!) yield* step(i, a);
      return `end${i}`;
    };
  script.parents.forEach((p, i) => gs.push(greenlet(body(i), target(p))));
  for (const a of script.main) yield* step(-1, a);
  log(`dead: ${gs.map((g, i) => `g${i}=${py(g.dead)}`).join(" ")}`);
}

const PROGRAMS: Array<[string, string, (log: Log) => Operation<void>]> = [
  ["eat_play", "the tutorial's eat/play_phone program prints what greenlet prints", eatPlay],
  ["values", "values pass both ways, and a return value goes to the parent", values],
  ["parents", "parents receive results; nesting, rings, reassignment and cycles", parents],
  ["exceptions", "exceptions go to the parent; throw() and GreenletExit kill", exceptions],
  ["finally", "finally blocks run on return, exception and kill, not at task end", finallyBlocks],
];

describe.each(["wasm", "ts"] as const)("%s core: traces of real greenlet", (core) => {
  test.each(PROGRAMS)("%s: %s", async (name, _what, program) => {
    const lines: string[] = [];
    await run(() => program((line) => lines.push(line)), { core, clock: "virtual" }).catch((e) => {
      console.log(lines.join("\n"));
      throw e;
    });
    expect(lines).toEqual(reference(name));
  });

  test("scripts: 300 random scripts of switches, throws, kills and raises", async () => {
    const expected = scripts();
    const got: string[][] = [];
    await run(
      function* () {
        for (const { script } of expected) {
          const trace: string[] = [];
          got.push(trace);
          yield* runScript(script, (line) => trace.push(line));
        }
      },
      { core, clock: "virtual" },
    );
    expect(got.length).toBe(300);
    expect(got).toEqual(expected.map((e) => e.trace));
  });
});
