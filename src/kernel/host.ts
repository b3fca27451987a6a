// What the kernel needs from the JavaScript host, and how it gets it on each: Node, Bun,
// Deno, browsers and Web Workers. Nothing else in the kernel touches a host API directly,
// so the root entry loads everywhere WebAssembly runs.
//
//   need                     Node / Bun / Deno          browsers, workers
//   ───────────────────────  ─────────────────────────  ──────────────────────────────
//   a macrotask (give the    setImmediate               MessageChannel (a message is a
//   host a turn, then come                              macrotask; setTimeout(0) is
//   back at once)                                       clamped to 4 ms after nesting)
//   "nothing else can wake   process 'beforeExit'       none: the watchdog (see loop.ts)
//   anyone" (deadlock)       (Node; Bun and Deno emit   is the only trigger
//                            it only without a pending
//                            top-level await)
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

/**
 * Calls `fn` when the host says nothing is left that could run (Node's 'beforeExit').
 * Returns false where the host has no such event.
 */
export function onHostIdle(fn: Callback): boolean {
  if (hostProcess === undefined || typeof hostProcess.on !== "function") return false;
  hostProcess.on("beforeExit", fn);
  return true;
}
