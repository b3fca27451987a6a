// The native side of the comparison: plain async functions and Promises, with only what
// the platform lacks written here, as small as it can be and still correct.
//
//   Channel        a bounded channel between async functions (ping-pong, shape 3): what a
//                  library-free program would write; Node has no awaitable queue.
//   sleepFor       a cancellable sleep: setTimeout + AbortSignal (cancellation, shape 5).
//
// Native's sleep(0) (shape 4) is written inline in bench/kernel.ts, as users write it:
// `await new Promise(r => setImmediate(r))`.

/**
 * A bounded FIFO channel between async functions: put() waits while `capacity` items are
 * buffered, get() waits while none is. Waiters are served in arrival order. No close, no
 * cancellation: the benchmark needs neither, and each would add a branch to both paths.
 *
 * @example
 * ```ts
 * const ch = new Channel<number>(1);
 * void (async () => { for (let i = 0; i < 3; i++) await ch.put(i); })();
 * console.log(await ch.get(), await ch.get(), await ch.get()); // 0 1 2
 * ```
 */
export class Channel<T> {
  private readonly items: T[] = [];
  private readonly getters: Array<(item: T) => void> = [];
  private readonly putters: Array<{ item: T; resolve: () => void }> = [];

  constructor(private readonly capacity: number) {}

  /** Puts `item`; the Promise (undefined when there was room) settles once it is in. */
  put(item: T): Promise<void> | undefined {
    const getter = this.getters.shift();
    if (getter !== undefined) {
      getter(item);
      return undefined;
    }
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return undefined;
    }
    return new Promise<void>((resolve) => void this.putters.push({ item, resolve }));
  }

  /** Takes the oldest item, waiting for one if the channel is empty. */
  get(): T | Promise<T> {
    if (this.items.length > 0) {
      const item = this.items.shift()!;
      const putter = this.putters.shift();
      if (putter !== undefined) {
        this.items.push(putter.item);
        putter.resolve();
      }
      return item;
    }
    return new Promise<T>((resolve) => void this.getters.push(resolve));
  }
}

/**
 * Sleeps `ms` on a Node timer; aborting `signal` clears the timer and rejects with the
 * signal's reason (what an AbortSignal-aware async API does).
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * const p = sleepFor(1e9, ac.signal);
 * ac.abort(); // p rejects with an AbortError
 * ```
 */
export function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
