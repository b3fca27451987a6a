// spindle/gevent's behaviour beyond the reference traces, on both cores and the virtual
// clock: what greenlets may run, how failures are kept and reported, kills, timeouts,
// links, the queue and lock modules, cooperative(), and a greenlet's life at run()'s end.

import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { getRunningLoop, run, type Operation } from "../../src/index.js";
import * as gevent from "../../src/gevent/index.js";
import { GreenletExit, Timeout } from "../../src/gevent/index.js";

type Core = "wasm" | "ts";

/** Runs `body` on the virtual clock; collects what the loop's exception handler got. */
async function vrun<T>(
  core: Core,
  body: (errors: string[]) => Operation<T>,
): Promise<{ value: T; errors: string[] }> {
  const errors: string[] = [];
  const value = await run(
    function* () {
      getRunningLoop()!.setExceptionHandler((_l, ctx) => void errors.push(ctx.message));
      return yield* body(errors);
    },
    { core, clock: "virtual" },
  );
  return { value, errors };
}

const now = () => getRunningLoop()!.time();

describe.each(["wasm", "ts"] as const)("%s core: gevent", (core) => {
  test("a greenlet runs a generator function, an async function or a plain one", async () => {
    const { value } = await vrun(core, function* () {
      const a = gevent.spawn(function* (x: number) {
        yield* gevent.sleep(10);
        return x + 1;
      }, 1);
      const b = gevent.spawn(async (x: number) => x * 10, 2);
      const c = gevent.spawn((x: string) => x.toUpperCase(), "c");
      yield* gevent.joinAll([a, b, c]);
      return [a.value, b.value, c.value];
    });
    expect(value).toEqual([2, 20, "C"]);
  });

  test("an error in a greenlet is kept and reported, not raised by join; get raises it", async () => {
    const { value, errors } = await vrun(core, function* () {
      const g = gevent.spawn(function* boom() {
        yield* gevent.sleep(5);
        throw new RangeError("bad");
      });
      yield* g.join();
      const seen = [g.ready(), g.successful(), (g.exception as Error).message];
      try {
        yield* g.get();
      } catch (e) {
        seen.push(`get raised ${(e as Error).name}`);
      }
      return seen;
    });
    expect(value).toEqual([true, false, "bad", "get raised RangeError"]);
    expect(errors).toEqual([
      expect.stringMatching(/^<Greenlet "Greenlet-\d+" dead> failed with RangeError$/),
    ]);
  });

  test("a greenlet killing itself ends quietly, as a success", async () => {
    const { value } = await vrun(core, function* () {
      const trace: string[] = [];
      const g = gevent.spawn(function* () {
        try {
          yield* (gevent.getcurrent() as gevent.Greenlet).kill();
          trace.push("not reached");
        } finally {
          trace.push("finally ran");
        }
      });
      yield* g.join();
      return [...trace, g.successful(), g.value instanceof GreenletExit];
    });
    expect(value).toEqual(["finally ran", true, true]);
  });

  test("kill with a timeout gives up on a greenlet that ignores the kill", async () => {
    const { value } = await vrun(core, function* () {
      const g = gevent.spawn(function* () {
        try {
          yield* gevent.sleep(1000);
        } catch {
          yield* gevent.sleep(100); // ignores the kill for a while
          return "survived";
        }
      });
      yield* gevent.sleep(0);
      const t0 = now();
      yield* g.kill(GreenletExit, { timeout: 30 });
      const waited = now() - t0;
      const aliveAfter = !g.dead;
      yield* g.join();
      return [waited, aliveAfter, g.value];
    });
    expect(value).toEqual([30, true, "survived"]);
  });

  test("killAll with a timeout raises a Timeout when one outlives it", async () => {
    const { value } = await vrun(core, function* () {
      const quiet = gevent.spawn(gevent.sleep, 1000);
      const stubborn = gevent.spawn(function* () {
        try {
          yield* gevent.sleep(1000);
        } catch {
          yield* gevent.sleep(100);
        }
      });
      yield* gevent.sleep(0);
      try {
        yield* gevent.killAll([quiet, stubborn], GreenletExit, { timeout: 20 });
        return "no timeout";
      } catch (e) {
        return [e instanceof Timeout, quiet.dead, stubborn.dead];
      }
    });
    expect(value).toEqual([true, true, false]);
  });

  test("a greenlet killed before it starts never runs; spawnLater's timer is dropped", async () => {
    const { value } = await vrun(core, function* () {
      let ran = 0;
      const g = gevent.spawnLater(50, () => void ran++);
      const h = gevent.spawn(() => void ran++);
      g.kill(new Error("never mind"), { block: false });
      yield* h.kill();
      yield* gevent.sleep(100);
      return [ran, g.dead, (g.exception as Error).message, h.successful()];
    });
    expect(value).toEqual([0, true, "never mind", true]);
  });

  test("a Timeout raises only in the greenlet that started it", async () => {
    const { value } = await vrun(core, function* () {
      const trace: string[] = [];
      const timed = gevent.spawn(function* () {
        const t = new Timeout(20).start();
        try {
          yield* gevent.sleep(100);
        } catch (e) {
          trace.push(`timed: ${e === t ? "its own Timeout" : String(e)} at ${now()}`);
        }
      });
      const other = gevent.spawn(function* () {
        yield* gevent.sleep(50);
        trace.push(`other woke at ${now()}`);
      });
      yield* gevent.joinAll([timed, other]);
      return trace;
    });
    expect(value).toEqual(["timed: its own Timeout at 20", "other woke at 50"]);
  });

  test("a Timeout given an exception class raises a new instance of it", async () => {
    class Slow extends Error {}
    const { value } = await vrun(core, function* () {
      try {
        yield* new Timeout(10, Slow).with(gevent.sleep(100));
      } catch (e) {
        return e instanceof Slow;
      }
      return false;
    });
    expect(value).toBe(true);
  });

  test("getcurrent is the gevent Greenlet inside one, the task's main greenlet outside", async () => {
    const { value } = await vrun(core, function* () {
      const g = gevent.spawn(() => gevent.getcurrent());
      yield* g.join();
      const main = gevent.getcurrent();
      return [g.value === g, main instanceof gevent.Greenlet, main.toString()];
    });
    expect(value[0]).toBe(true);
    expect(value[1]).toBe(false);
  });

  test("getcurrent finds a greenlet running an async function, after an await too", async () => {
    const { value } = await vrun(core, function* () {
      const g = gevent.spawn(async () => {
        const before = gevent.getcurrent();
        await Promise.resolve();
        return [before, gevent.getcurrent()];
      });
      yield* g.join();
      return (g.value as unknown[]).map((x) => x === g);
    });
    expect(value).toEqual([true, true]);
  });

  test("a link that returns a generator runs it as a task before the next link", async () => {
    const { value } = await vrun(core, function* () {
      const trace: string[] = [];
      const g = gevent.spawn(() => "x");
      g.link(function* () {
        trace.push("link 1 starts");
        yield* gevent.sleep(10);
        trace.push("link 1 ends");
      });
      g.link(() => void trace.push("link 2"));
      yield* gevent.sleep(50);
      return trace;
    });
    expect(value).toEqual(["link 1 starts", "link 2", "link 1 ends"]);
  });

  test("idle() waits until nothing else is ready", async () => {
    const { value } = await vrun(core, function* () {
      const trace: string[] = [];
      gevent.spawn(function* () {
        for (let i = 0; i < 3; i++) {
          trace.push(`busy ${i}`);
          yield* gevent.sleep(0);
        }
      });
      yield* gevent.idle();
      trace.push("idle");
      return trace;
    });
    expect(value).toEqual(["busy 0", "busy 1", "busy 2", "idle"]);
  });

  test("greenlets still running when run() ends are cancelled, without error reports", async () => {
    let left: gevent.Greenlet | null = null;
    const { errors } = await vrun(core, function* () {
      left = gevent.spawn(gevent.sleep, 1000);
      yield* gevent.sleep(0);
    });
    expect(errors).toEqual([]);
    expect(left!.dead).toBe(true);
  });

  test("Pool.apply from a member of a full pool runs the function in place", async () => {
    const { value } = await vrun(core, function* () {
      const p = new gevent.Pool(1);
      const g = yield* p.spawn(function* () {
        const inner = yield* p.apply(() => gevent.getcurrent());
        return inner === gevent.getcurrent();
      });
      yield* g.join();
      return g.value;
    });
    expect(value).toBe(true);
  });

  test("imap raises an item's error at that item's place", async () => {
    const { value } = await vrun(core, function* () {
      const got: string[] = [];
      try {
        for (const next of new gevent.Pool(2).imap(
          (x: number) => {
            if (x === 2) throw new Error("two");
            return x;
          },
          [1, 2, 3],
        ))
          got.push(String(yield* next));
      } catch (e) {
        got.push(`raised ${(e as Error).message}`);
      }
      return got;
    });
    expect(value).toEqual(["1", "raised two"]);
  });

  test("queue: get with a timeout raises Empty, put without blocking on a full queue raises Full", async () => {
    const { value } = await vrun(core, function* () {
      const q = new gevent.queue.Queue<number>(1);
      const out: string[] = [];
      const t0 = now();
      try {
        yield* q.get(true, 25);
      } catch (e) {
        out.push(`Empty after ${now() - t0}: ${e instanceof gevent.queue.Empty}`);
      }
      yield* q.put(1);
      try {
        yield* q.put(2, false);
      } catch (e) {
        out.push(`Full: ${e instanceof gevent.queue.Full}`);
      }
      out.push(`got ${yield* q.get()}`);
      const jq = new gevent.queue.JoinableQueue<string>();
      jq.putNowait("job");
      gevent.spawn(function* () {
        yield* gevent.sleep(10);
        jq.getNowait();
        jq.taskDone();
      });
      yield* jq.join();
      out.push(`joined at ${now() - t0}`);
      return out;
    });
    expect(value).toEqual(["Empty after 25: true", "Full: true", "got 1", "joined at 35"]);
  });

  test("lock: Semaphore.acquire with a timeout returns false; RLock is re-entrant for its owner", async () => {
    const { value } = await vrun(core, function* () {
      const out: unknown[] = [];
      const sem = new gevent.lock.Semaphore(1);
      out.push(yield* sem.acquire());
      out.push(yield* sem.acquire(false));
      out.push(yield* sem.acquire(true, 15), now());
      sem.release();
      const bounded = new gevent.lock.BoundedSemaphore(1);
      try {
        bounded.release();
      } catch (e) {
        out.push((e as Error).name);
      }
      const rlock = new gevent.lock.RLock();
      yield* rlock.acquire();
      yield* rlock.acquire();
      const other = gevent.spawn(function* () {
        yield* rlock.acquire();
        out.push(`other got it at ${now()}`);
        rlock.release();
      });
      yield* gevent.sleep(10);
      rlock.release();
      out.push(`still held: ${rlock.locked()}`);
      rlock.release();
      yield* other.join();
      return out;
    });
    expect(value).toEqual([
      true,
      false,
      false,
      15,
      "RangeError",
      "still held: true",
      "other got it at 25",
    ]);
  });

  test("cooperative turns Promise APIs into operations, called when started", async () => {
    const { value } = await vrun(core, function* () {
      let calls = 0;
      const later = gevent.cooperative((x: number) => {
        calls++;
        return Promise.resolve(x * 2);
      });
      const op = later(21);
      const before = calls;
      const got = yield* op;
      const read = gevent.cooperative(readFile);
      const text = String(
        yield* read(new URL("../reference/gevent/eat_play.txt", import.meta.url)),
      );
      return [before, calls, got, text.split("\n")[0]];
    });
    expect(value).toEqual([0, 1, 42, "egon eat food first"]);
  });
});

describe.each(["wasm", "ts"] as const)("%s core: gevent events from outside", (core) => {
  test("Event.set from a Node callback outside any task wakes its waiters", async () => {
    const got = await run(
      function* () {
        const ev = new gevent.Event();
        setTimeout(() => ev.set(), 5);
        const waiter = gevent.spawn(function* () {
          return yield* ev.wait(1000);
        });
        // A Node timer is an outside event: hold the loop open for it, as a socket would.
        const hold = getRunningLoop()!.holdExternal("test timer");
        try {
          return yield* waiter.get();
        } finally {
          hold.release();
        }
      },
      { core },
    );
    expect(got).toBe(true);
  });
});
