// spindle translations of the asyncio programs under test/reference/asyncio/, each checked
// line by line against the trace CPython printed. Virtual clock, both cores.

import { describe, expect, it } from "vitest";
import {
  CancelledError,
  Event,
  Lock,
  PriorityQueue,
  Queue,
  QueueFull,
  Semaphore,
  TimeoutError,
  createTask,
  currentTask,
  gather,
  getRunningLoop,
  newEventLoop,
  run,
  sleep,
  timeout,
  timeoutAt,
} from "../../src/index.js";
import { printer, referenceTrace } from "../reference/trace.js";

const asyncio = (name: string): string[] => referenceTrace("asyncio", name);

describe.each(["wasm", "ts"] as const)("%s core", (core) => {
  const opts = { core, clock: "virtual" as const };

  it("stop() before runForever() runs one tick and returns", async () => {
    const { lines, print } = printer();
    const loop = newEventLoop(opts);
    loop.callSoon(print, "a: soon, first iteration");
    loop.callSoon(() => void loop.callSoon(print, "c: scheduled in the first iteration"));
    loop.callLater(50, print, "b: 50 ms later");
    loop.stop();
    await loop.runForever();
    print("run_forever returned");
    await loop.runUntilComplete(sleep(100));
    print("second run done");
    await loop.close();
    expect(lines).toEqual(asyncio("stop_before_run_forever"));
  });

  it("runs callbacks readied before the loop starts ahead of timers due at its first tick", async () => {
    const { lines, print } = printer();
    const loop = newEventLoop(opts);
    loop.callLater(0, print, "a: call_later(0)");
    loop.callSoon(print, "b: call_soon");
    loop.callLater(0, print, "c: call_later(0), second");
    loop.callSoon(print, "d: call_soon, second");
    await loop.runUntilComplete(sleep(10));
    await loop.close();
    expect(lines).toEqual(asyncio("call_later0_before_start"));
  });

  it("steps a task whose sleep fired in the tick after the timer callbacks due with it", async () => {
    const { lines, print } = printer();
    await run(function* () {
      const loop = getRunningLoop()!;
      const t = createTask(function* () {
        yield* sleep(50);
        print("sleeper wakes");
        loop.callSoon(print, "soon from sleeper");
      });
      yield* sleep(0); // the sleeper arms its timer
      loop.callLater(50, print, "callback due with the sleeper");
      loop.callLater(50, () => void loop.callSoon(print, "soon from the second callback"));
      yield* t;
    }, opts);
    expect(lines).toEqual(asyncio("sleep_wakes_next_iteration"));
  });

  it("notifies done callbacks and awaiters in the order they registered", async () => {
    const { lines, print } = printer();
    await run(function* () {
      const t = createTask(function* () {
        yield* sleep(10);
        print("child returns");
        return 7;
      });
      t.addDoneCallback(() => print("callback 1"));
      function* awaiter(name: string) {
        print(`${name} got ${yield* t}`);
      }
      const a = createTask(awaiter("awaiter A"));
      yield* sleep(0);
      t.addDoneCallback(() => print("callback 2"));
      const b = createTask(awaiter("awaiter B"));
      yield* sleep(0);
      t.addDoneCallback(() => print("callback 3"));
      yield* gather(a, b);
    }, opts);
    expect(lines).toEqual(asyncio("done_callbacks_order"));
  });

  it("runUntilComplete returns after the callbacks its task scheduled just before returning", async () => {
    const { lines, print } = printer();
    const loop = newEventLoop(opts);
    print(
      await loop.runUntilComplete(function* () {
        getRunningLoop()!.callSoon(print, "scheduled just before main returns");
        return "main's result";
      }),
    );
    await loop.close();
    expect(lines).toEqual(asyncio("run_until_complete_runs_last_callbacks"));
  });

  it("ends a task cancelled during its last step as cancelled, not with its value", async () => {
    const { lines, print } = printer();
    await run(function* () {
      const t = createTask(function* () {
        currentTask()!.cancel();
        return "value";
      });
      try {
        yield* t;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        print("await raised CancelledError");
      }
      print("cancelled:", t.cancelled() ? "True" : "False", "cancelling:", t.cancelling());
    }, opts);
    expect(lines).toEqual(asyncio("cancel_pending_at_return"));
  });

  it("a timeout whose deadline has passed cancels at the very first suspension", async () => {
    const { lines, print } = printer();
    await run(function* () {
      const loop = getRunningLoop()!;
      for (const scope of [
        (body: () => Generator) => timeoutAt(loop.time() - 1000, body),
        (body: () => Generator) => timeout(0, body),
      ]) {
        try {
          yield* scope(function* () {
            print("body starts");
            yield* sleep(0);
            print("never: after the first suspension");
          });
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
          print("TimeoutError");
        }
      }
    }, opts);
    expect(lines).toEqual(asyncio("timeout_already_expired"));
  });

  it("a lock waiter cancelled after its wake-up loses to the cancel; the next waiter gets the lock", async () => {
    const { lines, print } = printer();
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      function* waiter(name: string) {
        try {
          yield* lock.acquire();
        } catch (e) {
          if (e instanceof CancelledError) print(`${name}: cancelled`);
          throw e;
        }
        print(`${name}: has the lock`);
        yield* sleep(0);
        lock.release();
        print(`${name}: released`);
      }
      const b = createTask(waiter("B"));
      const c = createTask(waiter("C"));
      yield* sleep(0);
      lock.release();
      print("locked after release:", lock.locked() ? "True" : "False");
      b.cancel();
      const d = createTask(waiter("D"));
      yield* gather(b, c, d, { returnExceptions: true });
      print("locked at the end:", lock.locked() ? "True" : "False");
    }, opts);
    expect(lines).toEqual(asyncio("lock_cancel_after_wake"));
  });

  it("a semaphore waiter cancelled after its wake-up gives the permit to the next one", async () => {
    const { lines, print } = printer();
    await run(function* () {
      const sem = new Semaphore(1);
      yield* sem.acquire();
      function* waiter(name: string) {
        try {
          yield* sem.acquire();
        } catch (e) {
          if (e instanceof CancelledError) print(`${name}: cancelled`);
          throw e;
        }
        print(`${name}: has a permit`);
        yield* sleep(0);
        sem.release();
      }
      const b = createTask(waiter("B"));
      const c = createTask(waiter("C"));
      yield* sleep(0);
      sem.release();
      print("locked after release:", sem.locked() ? "True" : "False");
      b.cancel();
      yield* gather(b, c, { returnExceptions: true });
      const { value } = sem.statistics();
      print("value at the end:", value, "locked:", sem.locked() ? "True" : "False");
    }, opts);
    expect(lines).toEqual(asyncio("semaphore_cancel_after_wake"));
  });

  it("an event waiter cancelled after set() meets the cancel", async () => {
    const { lines, print } = printer();
    await run(function* () {
      const ev = new Event();
      function* waiter(name: string) {
        try {
          print(`${name}: wait returned ${(yield* ev.wait()) ? "True" : "False"}`);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          print(`${name}: cancelled`);
        }
      }
      const a = createTask(waiter("A"));
      const b = createTask(waiter("B"));
      yield* sleep(0);
      ev.set();
      a.cancel();
      yield* gather(a, b);
    }, opts);
    expect(lines).toEqual(asyncio("event_cancel_after_set"));
  });

  it("a queue getter or putter cancelled after its wake-up leaves the item or slot to the next", async () => {
    const { lines, print } = printer();
    await run(function* () {
      let q = new Queue<string>();
      function* getter(name: string) {
        try {
          print(`${name}: got ${yield* q.get()}`);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          print(`${name}: cancelled`);
        }
      }
      const a = createTask(getter("A"));
      const b = createTask(getter("B"));
      yield* sleep(0);
      q.putNowait("x");
      print("qsize after put:", q.qsize());
      a.cancel();
      yield* gather(a, b);
      print("qsize at the end:", q.qsize());

      q = new Queue<string>({ maxsize: 1 });
      q.putNowait("full");
      function* putter(name: string, item: string) {
        try {
          yield* q.put(item);
          print(`${name}: put ${item}`);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          print(`${name}: cancelled`);
        }
      }
      const c = createTask(putter("C", "c"));
      const d = createTask(putter("D", "d"));
      yield* sleep(0);
      print("got", q.getNowait(), "full:", q.full() ? "True" : "False");
      c.cancel();
      yield* gather(c, d);
      print("in the queue:", q.getNowait(), "qsize:", q.qsize());
    }, opts);
    expect(lines).toEqual(asyncio("queue_cancel_after_wake"));
  });

  it("keeps items in the queue until the woken getter takes them", async () => {
    const { lines, print } = printer();
    await run(function* () {
      const q = new Queue<number>({ maxsize: 1 });
      function* getter(name: string) {
        print(`${name}: got ${yield* q.get()}`);
      }
      const a = createTask(getter("A"));
      yield* sleep(0);
      q.putNowait(1);
      print("qsize:", q.qsize(), "full:", q.full() ? "True" : "False");
      try {
        q.putNowait(2);
      } catch (e) {
        if (!(e instanceof QueueFull)) throw e;
        print("put_nowait(2): QueueFull");
      }
      print("stolen by get_nowait:", q.getNowait());
      const b = createTask(getter("B"));
      yield* sleep(0);
      q.putNowait(3);
      yield* sleep(0);
      yield* sleep(0);
      q.putNowait(4);
      yield* gather(a, b);

      const pq = new PriorityQueue<number>();
      const c = createTask(pq.get());
      yield* sleep(0);
      pq.putNowait(5);
      pq.putNowait(1);
      print("priority getter got:", yield* c);
    }, opts);
    expect(lines).toEqual(asyncio("queue_items_stay"));
  });
});
