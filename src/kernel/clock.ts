// Clocks: where a loop reads the time. Milliseconds, as everywhere in JavaScript.
//
// The real clock is performance.now(): monotonic, sub-millisecond. The virtual clock only
// moves when the loop has nothing ready and jumps straight to the next deadline (trio's
// autojump clock), so an hour of simulated sleeps runs in milliseconds.

export interface Clock {
  readonly virtual: boolean;
  now(): number;
  /** Virtual clocks only: move time forward to `t` (never backward). */
  jumpTo(t: number): void;
}

/** Read once: `performance` on Node's global object is a lazy getter (~10 ns a read). */
const perf = performance;

export class RealClock implements Clock {
  readonly virtual = false;
  now(): number {
    return perf.now();
  }
  jumpTo(): void {
    // Real time cannot be moved; the loop arms a Node timer instead.
  }
}

export class VirtualClock implements Clock {
  readonly virtual = true;
  private t: number;
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  jumpTo(t: number): void {
    if (t > this.t) this.t = t;
  }
}
