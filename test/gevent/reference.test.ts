// spindle/gevent against real gevent 22.10.2: each program under test/reference/gevent/
// has a translation here, line for line, and prints the same trace (the .txt beside it,
// made by the command on the .py's first line). Python's str()/repr() of the printed
// values is reproduced by `str` and `repr` below. Each runs on both cores, on the
// virtual clock (the programs' sleeps are tens of ms apart, so the real clock agrees).

import { describe, expect, test } from "vitest";
import { getRunningLoop, run, type Operation } from "../../src/index.js";
import * as gevent from "../../src/gevent/index.js";
import { GreenletExit, Timeout } from "../../src/gevent/index.js";
import { AsyncResult, Event } from "../../src/gevent/event.js";
import { Group, Pool } from "../../src/gevent/pool.js";
import { referenceTrace } from "../reference/trace.js";

type Print = (...parts: unknown[]) => void;

/** Python's repr() of what the programs print. */
function repr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(repr).join(", ")}]`;
  if (v instanceof Error) return `${v.name}(${v.message === "" ? "" : repr(v.message)})`;
  return String(v);
}

/** Python's str(): print's own conversion. */
function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof Error) return v.message;
  return repr(v);
}

/** Python's print(*parts). */
function printer(lines: string[]): Print {
  return (...parts) => void lines.push(parts.map(str).join(" "));
}

/** Python's type(x).__name__ for the values printed. */
function typeName(v: unknown): string {
  return v instanceof Error ? v.name : typeof v;
}

class ValueError extends Error {
  override name = "ValueError";
}
class KeyError extends Error {
  override name = "KeyError";
}
class MyError extends Error {
  override name = "MyError";
}
class Late extends Error {
  override name = "Late";
}

/** gevent's str(Timeout(seconds)). */
function seconds(t: Timeout): string {
  return `${(t.ms ?? 0) / 1000} seconds`;
}

// ── the translations ──────────────────────────────────────────────────────────────────

function* spawnJoin(print: Print): Operation<void> {
  function* worker(name: string, n: number, ms: number) {
    for (let i = 0; i < n; i++) {
      print(`${name} step ${i}`);
      yield* gevent.sleep(0);
    }
    yield* gevent.sleep(ms);
    print(`${name} done`);
    return name.toUpperCase();
  }
  const a = gevent.spawn(worker, "a", 2, 60);
  const b = gevent.spawn(worker, "b", 3, 10);
  const c = gevent.spawnLater(100, worker, "c", 1, 0);
  print("spawned; a started:", a.started, "ready:", a.ready());
  yield* gevent.sleep(0);
  print("main after sleep(0)");
  yield* b.join();
  print("b joined: value", b.value, "successful", b.successful(), "dead", b.dead);
  print("a.get():", yield* a.get());
  print("c ready before join:", c.ready());
  yield* c.join();
  print("c value", c.value);
  print("join with timeout on a sleeper:");
  const d = gevent.spawn(gevent.sleep, 1000);
  yield* d.join(20);
  print("d ready after join(20ms):", d.ready());
  try {
    yield* d.get(true, 20);
  } catch (t) {
    if (!(t instanceof Timeout)) throw t;
    print("get(timeout) raised Timeout", t !== null);
  }
  try {
    yield* d.get(false);
  } catch (t) {
    if (!(t instanceof Timeout)) throw t;
    print("get(block=False) raised Timeout");
  }
  yield* d.kill();
  print("d killed: ready", d.ready(), "successful", d.successful(), "value", typeName(d.value));
}

function* kill(print: Print): Operation<void> {
  function* sleeper(name: string) {
    try {
      print(name, "sleeps");
      yield* gevent.sleep(10_000);
      print(name, "woke (never)");
    } finally {
      print(name, "finally");
    }
  }
  const g = gevent.spawn(sleeper, "g");
  yield* gevent.sleep(0);
  yield* g.kill();
  print(
    "after kill: dead",
    g.dead,
    "successful",
    g.successful(),
    "value",
    repr(g.value),
    "exception",
    g.exception,
  );

  const u = gevent.spawn(sleeper, "u");
  yield* u.kill();
  print("unstarted kill: dead", u.dead, "successful", u.successful(), "value", typeName(u.value));

  const e = gevent.spawn(sleeper, "e");
  yield* gevent.sleep(0);
  yield* e.kill(new MyError("boom"));
  print(
    "kill(MyError): successful",
    e.successful(),
    "exception",
    repr(e.exception),
    "value",
    e.value,
  );

  function* stubborn() {
    try {
      yield* gevent.sleep(10_000);
    } catch (x) {
      if (!(x instanceof GreenletExit)) throw x;
      print("stubborn caught GreenletExit");
      return "stubborn result";
    }
  }
  const s = gevent.spawn(stubborn);
  yield* gevent.sleep(0);
  yield* s.kill();
  print("stubborn: successful", s.successful(), "value", s.value);

  const n = gevent.spawn(sleeper, "n");
  yield* gevent.sleep(0);
  n.kill(GreenletExit, { block: false });
  print("kill(block=False) returned: dead", n.dead);
  yield* gevent.sleep(0);
  print("after sleep(0): dead", n.dead);

  function* victim() {
    print("victim sleeps");
    yield* gevent.sleep(1000);
  }
  const gs = [0, 1, 2].map(() => gevent.spawn(victim));
  yield* gevent.sleep(0);
  yield* gevent.killAll(gs);
  print(
    "killall: all dead",
    gs.every((x) => x.dead),
    "values",
    gs.map((x) => typeName(x.value)),
  );
}

function* joinall(print: Print): Operation<void> {
  function* nap(name: string, ms: number, fail = false) {
    yield* gevent.sleep(ms);
    if (fail) throw new ValueError(name);
    return name;
  }
  const names = (gs: gevent.Greenlet<string>[]) => gs.map((g) => g.value);
  let gs = [
    gevent.spawn(nap, "slow", 30),
    gevent.spawn(nap, "fast", 10),
    gevent.spawn(nap, "mid", 20),
  ];
  print("all:", names(yield* gevent.joinAll(gs)));

  gs = [gevent.spawn(nap, "slow", 60), gevent.spawn(nap, "fast", 10), gevent.spawn(nap, "mid", 20)];
  let done = yield* gevent.joinAll(gs, { timeout: 40 });
  print("timeout 40ms:", names(done), "slow ready", gs[0]!.ready());
  yield* gevent.joinAll(gs);

  gs = [gevent.spawn(nap, "slow", 30), gevent.spawn(nap, "fast", 10), gevent.spawn(nap, "mid", 20)];
  done = yield* gevent.joinAll(gs, { count: 2 });
  print("count 2:", names(done));
  yield* gevent.joinAll(gs);

  gs = [
    gevent.spawn(nap, "ok", 10),
    gevent.spawn(nap, "bad", 20, true),
    gevent.spawn(nap, "late", 40),
  ];
  try {
    yield* gevent.joinAll(gs, { raiseError: true });
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("raise_error raised ValueError", e, "late ready", gs[2]!.ready());
  }
  print("bad: successful", gs[1]!.successful(), "exception", repr(gs[1]!.exception));
  yield* gevent.joinAll(gs);

  gs = [gevent.spawn(nap, "x", 20), gevent.spawn(nap, "y", 10)];
  print("wait:", names(yield* gevent.wait(gs)));
  gs = [gevent.spawn(nap, "x", 20), gevent.spawn(nap, "y", 10), gevent.spawn(nap, "z", 30)];
  for (const next of gevent.iwait(gs)) {
    const g = yield* next;
    print("iwait got", g!.value);
  }
}

function* timeout(print: Print): Operation<void> {
  let t = new Timeout(20);
  t.start();
  try {
    yield* gevent.sleep(1000);
  } catch (e) {
    if (!(e instanceof Timeout)) throw e;
    print("caught the Timeout itself:", e === t, seconds(e));
  } finally {
    t.cancel();
  }

  t = new Timeout(50);
  t.start();
  yield* gevent.sleep(10);
  t.cancel();
  yield* gevent.sleep(60);
  print("cancelled timeout did not fire; pending", t.pending);

  t = new Timeout(20, new Late("too late"));
  t.start();
  try {
    yield* gevent.sleep(1000);
  } catch (e) {
    if (!(e instanceof Late)) throw e;
    print("caught Late:", e);
  } finally {
    t.cancel();
  }

  try {
    yield* new Timeout(20).with(function* () {
      yield* gevent.sleep(1000);
    });
  } catch (e) {
    if (!(e instanceof Timeout)) throw e;
    print("with Timeout raised:", seconds(e));
  }

  yield* new Timeout(20, false).with(function* () {
    yield* gevent.sleep(1000);
    print("never");
  });
  print("Timeout(…, False) swallowed it");

  function* slow(x: number) {
    yield* gevent.sleep(50);
    return x * 2;
  }
  print("with_timeout fast enough:", yield* gevent.withTimeout(100, slow(21)));
  print(
    "with_timeout timeout_value:",
    yield* gevent.withTimeout(10, slow(21), { timeoutValue: "late" }),
  );
  try {
    yield* gevent.withTimeout(10, slow(21));
  } catch (e) {
    if (!(e instanceof Timeout)) throw e;
    print("with_timeout raised Timeout:", seconds(e));
  }

  const g = gevent.spawn(slow, 1);
  try {
    yield* g.get(true, 10);
  } catch (e) {
    if (!(e instanceof Timeout)) throw e;
    print("get(timeout) raised:", seconds(e));
  }
  yield* g.join();
}

function* links(print: Print): Operation<void> {
  function* work(name: string, fail = false) {
    print(name, "runs");
    yield* gevent.sleep(10);
    if (fail) throw new KeyError(name);
    return name + "!";
  }
  const cb = (tag: string) => (g: gevent.Greenlet<string>) =>
    print("link", tag, "value", g.value, "exception", repr(g.exception));
  const g = gevent.spawn(work, "g");
  g.link(cb("1"));
  g.linkValue(cb("value-only"));
  g.linkException(cb("exception-only"));
  const removed = cb("removed");
  g.link(removed);
  g.unlink(removed);
  g.link(cb("2"));
  yield* g.join();
  print("main joined g");
  yield* gevent.sleep(0);
  print("main after sleep(0)");

  const h = gevent.spawn(work, "h", true);
  h.link(cb("1"));
  h.linkValue(cb("value-only"));
  h.linkException(cb("exception-only"));
  yield* h.join();
  print("main joined h");
  yield* gevent.sleep(0);

  print("link after the end:");
  g.link(cb("late"));
  yield* gevent.sleep(0);
  print("done");

  function* waiter(name: string, target: gevent.Greenlet<string>) {
    yield* target.join();
    print(name, "saw the end");
  }
  const t = gevent.spawn(work, "t");
  const w1 = gevent.spawn(waiter, "w1", t);
  t.link(cb("between"));
  const w2 = gevent.spawn(waiter, "w2", t);
  yield* gevent.joinAll([t, w1, w2]);
  print("all joined");
}

function* pool(print: Print): Operation<void> {
  const loop = getRunningLoop()!;
  const t0 = loop.time();
  const ms = () => Math.round((loop.time() - t0) / 10) * 10;
  function* job(x: number) {
    yield* gevent.sleep(40 - 10 * x);
    return x * x;
  }
  const p = new Pool(2);
  print("free", p.freeCount(), "full", p.full());
  const a = yield* p.spawn(job, 1);
  const b = yield* p.spawn(job, 2);
  print("free", p.freeCount(), "full", p.full(), "len", p.size);
  const c = yield* p.spawn(job, 3);
  print("third spawn returned at", ms(), "ms");
  yield* p.join();
  print("joined at", ms(), "ms", [a.value, b.value, c.value], "len", p.size);

  print("map:", yield* p.map(job, [0, 1, 2, 3]));
  const imapped: number[] = [];
  for (const next of p.imap(job, [0, 1, 2, 3])) imapped.push(yield* next);
  print("imap:", imapped);
  const unordered: number[] = [];
  for (const next of new Pool(4).imapUnordered(job, [0, 1, 2, 3])) unordered.push(yield* next);
  print("imap_unordered:", unordered);
  print("apply:", yield* p.apply(job, [3]));

  function* tagged(x: number) {
    yield* gevent.sleep(x);
    print("tagged", x);
    return x;
  }
  const list = function* (it: Iterable<Operation<number>>) {
    const out: number[] = [];
    for (const next of it) out.push(yield* next);
    return out;
  };
  print("Pool(2).imap order:", yield* list(new Pool(2).imap(tagged, [40, 10, 20])));
  print(
    "Pool(2).imap_unordered order:",
    yield* list(new Pool(2).imapUnordered(tagged, [40, 10, 20])),
  );

  let g = new Group();
  for (let i = 0; i < 3; i++) yield* g.spawn(tagged, 10 * (3 - i));
  print("group len", g.size);
  yield* g.join();
  print("group joined, len", g.size);

  g = new Group();
  const x = yield* g.spawn(gevent.sleep, 1000);
  const y = gevent.spawn(gevent.sleep, 1000);
  yield* g.add(y);
  print("group len", g.size, g.has(y));
  yield* g.kill();
  print("group killed: len", g.size, x.dead, y.dead);
  g.discard(y);

  const p1 = new Pool(1);
  const start = ms();
  yield* p1.spawn(gevent.sleep, 20);
  print("pool full", p1.full(), "wait_available");
  yield* p1.waitAvailable();
  print("available after", ms() - start, "ms; full", p1.full());
}

function* asyncresult(print: Print): Operation<void> {
  const r = new AsyncResult<number>();
  function* getter(name: string) {
    print(name, "waits");
    print(name, "got", yield* r.get());
  }
  let gs: gevent.Greenlet<unknown>[] = ["g1", "g2"].map((n) => gevent.spawn(getter, n));
  yield* gevent.sleep(0);
  print("ready", r.ready());
  r.set(42);
  print("set; ready", r.ready(), "successful", r.successful(), "value", r.value);
  yield* gevent.joinAll(gs);
  print("get after set:", yield* r.get());

  const r2 = new AsyncResult();
  gevent.spawn(function* failer() {
    yield* gevent.sleep(10);
    r2.setException(new ValueError("nope"));
  });
  try {
    yield* r2.get();
  } catch (e) {
    print("get raised", repr(e), "successful", r2.successful(), "exception", repr(r2.exception));
  }

  const r3 = new AsyncResult();
  print("wait(timeout) returns", yield* r3.wait(10));
  try {
    yield* r3.get(true, 10);
  } catch (e) {
    if (!(e instanceof Timeout)) throw e;
    print("get(timeout) raised Timeout");
  }
  try {
    yield* r3.get(false);
  } catch (e) {
    if (!(e instanceof Timeout)) throw e;
    print("get(block=False) raised Timeout");
  }

  const ev = new Event();
  function* setter() {
    yield* gevent.sleep(10);
    print("setting");
    ev.set();
  }
  function* ewaiter(name: string) {
    print(name, "wait ->", yield* ev.wait());
  }
  gs = [gevent.spawn(ewaiter, "w1"), gevent.spawn(ewaiter, "w2"), gevent.spawn(setter)];
  yield* gevent.joinAll(gs);
  print("is_set", ev.isSet());
  ev.clear();
  print("after clear", ev.isSet(), "wait(10ms) ->", yield* ev.wait(10));
}

function* eatPlay(print: Print): Operation<void> {
  function* eat(name: string) {
    print(`${name} eat food first`);
    yield* gevent.sleep(50);
    print(`${name} eat food second`);
  }
  function* play(name: string) {
    print(`${name} play phone 1`);
    yield* gevent.sleep(60);
    print(`${name} play phone 2`);
  }
  const g1 = gevent.spawn(eat, "egon");
  const g2 = gevent.spawn(play, "egon");
  yield* g1.join();
  yield* g2.join();
  print("主");
}

function* killOrder(print: Print): Operation<void> {
  function* victim() {
    try {
      yield* gevent.sleep(10);
    } finally {
      print("victim finally");
    }
  }
  function* bystander() {
    print("bystander runs");
    yield* gevent.sleep(0);
    print("bystander runs again");
  }
  const v = gevent.spawn(victim);
  v.link(() => print("link 1"));
  yield* gevent.sleep(0);
  gevent.spawn(bystander);
  v.link(() => print("link 2"));
  yield* v.kill();
  print("kill returned");
  yield* gevent.sleep(0);
  print("main after sleep(0)");
  yield* gevent.sleep(10);

  function* waiter() {
    yield* v2.join();
    print("waiter saw v2 end");
  }
  const v2 = gevent.spawn(victim);
  gevent.spawn(waiter);
  yield* gevent.sleep(0);
  v2.kill(GreenletExit, { block: false });
  print("kill(block=False) returned");
  yield* v2.join();
  print("main joined v2");
  yield* gevent.sleep(10);

  function* survivor() {
    try {
      yield* gevent.sleep(10);
    } catch (e) {
      if (!(e instanceof GreenletExit)) throw e;
      print("survivor caught the kill");
      yield* gevent.sleep(0);
      print("survivor after sleep(0)");
      yield* gevent.sleep(20);
      print("survivor ends");
    }
  }
  const s = gevent.spawn(survivor);
  gevent.spawn(bystander);
  yield* gevent.sleep(0);
  print("main kills survivor");
  yield* s.kill(GreenletExit, { timeout: 10 });
  print("kill gave up: survivor dead", s.dead);
  yield* s.join();
  print("main joined survivor");
}

const programs: Record<string, (print: Print) => Operation<void>> = {
  kill_order: killOrder,
  spawn_join: spawnJoin,
  kill,
  joinall,
  timeout,
  links,
  pool,
  asyncresult,
  eat_play: eatPlay,
};

// What gevent printed to stderr, "<Greenlet ...> failed with X", program by program (the
// traces above are stdout only): `/usr/bin/python3 <name>.py 2>&1 >/dev/null | grep failed`.
const failures: Record<string, string[]> = {
  joinall: ["ValueError"],
  kill: ["MyError"],
  links: ["KeyError"],
};

describe.each(["wasm", "ts"] as const)("%s core: traces of real gevent", (core) => {
  for (const [name, program] of Object.entries(programs))
    test(`${name}.py prints the same trace and reports the same failures`, async () => {
      const lines: string[] = [];
      const errors: string[] = [];
      await run(
        function* () {
          getRunningLoop()!.setExceptionHandler((_loop, ctx) => void errors.push(ctx.message));
          yield* program(printer(lines));
        },
        { core, clock: "virtual" },
      );
      expect(lines).toEqual(referenceTrace("gevent", name));
      expect(errors.map((e) => /failed with (\w+)$/.exec(e)?.[1] ?? e)).toEqual(
        failures[name] ?? [],
      );
    });
});
