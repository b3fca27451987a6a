// What the kernel needs from the JavaScript host, and how it gets it on each: Node, Bun,
// Deno, browsers and Web Workers. Nothing else in the kernel touches a host API directly,
// so the root entry loads everywhere WebAssembly runs.
//
//   need                     Node / Bun / Deno          browsers, workers
//   ───────────────────────  ─────────────────────────  ──────────────────────────────
//   a macrotask (give the    setImmediate               MessageChannel (a message is a
//   host a turn, then come                              macrotask; setTimeout(0) is
//   back at once)                                       clamped to 4 ms after nesting)
//   "nothing else can wake   process 'beforeExit'       none (a page never ends: a
//   anyone" (deadlock)       (Node); Bun and Deno emit  deadlock there is a page that
//                            it only without a pending  stays idle)
//                            top-level await, so there
//                            the loop's watchdog also
//                            asks hostIdleProbe()
//   the current task across  AsyncLocalStorage          none: currentTask() works in
//   an await                 (context.ts)               generators, not across awaits

type Callback = () => void;

/** Schedules `fn` as a macrotask: after the host has had a turn (I/O, timers, rendering). */
export const macrotask: (fn: Callback) => void = pickMacrotask();

function pickMacrotask(): (fn: Callback) => void {
  const g = globalThis as unknown as {
    setImmediate?: (fn: Callback) => unknown;
    MessageChannel?: new () => {
      port1: { onmessage: ((e: unknown) => void) | null; unref?: () => void };
      port2: { postMessage(v: unknown): void; unref?: () => void };
    };
  };
  if (typeof g.setImmediate === "function") {
    const si = g.setImmediate;
    return (fn) => void si(fn);
  }
  if (typeof g.MessageChannel === "function") {
    // One channel, a FIFO of callbacks: a message per pending callback.
    const channel = new g.MessageChannel();
    const queue: Callback[] = [];
    channel.port1.onmessage = () => queue.shift()?.();
    return (fn) => {
      queue.push(fn);
      channel.port2.postMessage(0);
    };
  }
  return (fn) => void setTimeout(fn, 0);
}

/** The host's `process` object, where there is one (Node, Bun, Deno's compat layer). */
export const hostProcess: { on?: (event: string, fn: Callback) => unknown } | undefined = (
  globalThis as { process?: { on?: (event: string, fn: Callback) => unknown } }
).process;

type Runtime = {
  Bun?: unknown;
  Deno?: unknown;
  process?: {
    versions?: { node?: string };
    getActiveResourcesInfo?: () => string[];
    resourceUsage?: () => { voluntaryContextSwitches: number };
  };
};

/**
 * Where 'beforeExit' may never come, a factory of probes for the loop's deadlock watchdog:
 * each probe, called every WATCHDOG_MS while a loop waits for its main task with nothing
 * ready and no timer armed, answers true once the host has nothing left that could wake a
 * task. Null where 'beforeExit' suffices (Node emits it with or without a pending top-level
 * await) and where nothing ends (browsers: an idle page is not a program about to exit).
 *
 *   - Deno keeps running while a timer is pending, even an unref'd one, and lists what it
 *     waits for in process.getActiveResourcesInfo() (timers, sockets, servers; unref'd
 *     timers are not listed): an empty list means nothing outside can wake a task.
 *   - Bun lists nothing there; but while its top-level await is pending and no handle is
 *     alive, it re-ticks without ever blocking (oven-sh/bun#33283: a busy loop), where a
 *     live handle (a timer, a socket) has it sleep in epoll between events — at least once
 *     per WATCHDOG_MS, since the watchdog's own timer wakes it. So a sample with no
 *     voluntary context switch (process.resourceUsage()) means the process never slept:
 *     two such samples in a row, with the loop idle throughout, mean nothing is alive. (A
 *     count of switches, not a share of CPU: a busy loop on a loaded machine gets a small
 *     share, but it still never sleeps. A future Bun that exits with code 13 there emits
 *     'beforeExit' first, which the loop also hears.) Host code outside spindle that keeps
 *     Bun's loop busy without a pause for two samples while the loop idles would read as a
 *     deadlock: wake tasks from such code through the loop (callSoon, a Promise the task
 *     awaits), which resets the watch.
 */
export const hostIdleProbe: (() => () => boolean) | null = pickIdleProbe();

function pickIdleProbe(): (() => () => boolean) | null {
  const g = globalThis as Runtime;
  const proc = g.process;
  if (g.Deno !== undefined && typeof proc?.getActiveResourcesInfo === "function") {
    const info = proc.getActiveResourcesInfo.bind(proc);
    return () => () => info().length === 0;
  }
  const usage = proc?.resourceUsage;
  if (g.Bun !== undefined && typeof usage === "function") {
    const sleeps = (): number => usage.call(proc).voluntaryContextSwitches;
    return () => {
      let last = sleeps();
      let spins = 0;
      return () => {
        const now = sleeps();
        spins = now === last ? spins + 1 : 0;
        last = now;
        return spins >= 2;
      };
    };
  }
  return null;
}

/**
 * Calls `fn` when the host says nothing is left that could run (Node's 'beforeExit').
 * Returns false where the host has no such event.
 */
export function onHostIdle(fn: Callback): boolean {
  if (hostProcess === undefined || typeof hostProcess.on !== "function") return false;
  hostProcess.on("beforeExit", fn);
  return true;
}
