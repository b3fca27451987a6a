// The job states shared with the worker threads: one Int32 per job that is on (or on its way
// to) a worker, in a SharedArrayBuffer every worker of the pool received once, at start, as
// piscina's workerData. Cancelling a job that a thread already holds is a write here, seen by
// the thread without a message (a message would wait behind the job it wants to stop).
//
//   states: Int32Array(capacity)            one slot per job handed to piscina
//   ┌──────┬──────┬──────┬─────┐
//   │ s[0] │ s[1] │ s[2] │ ... │           FREE, QUEUED, RUNNING, CANCELLED, ABORTED, DONE
//   └──────┴──────┴──────┴─────┘
//
// Who moves a slot (the full table is in runner.js's header):
//   main    FREE → QUEUED (hand-off)   QUEUED → CANCELLED   RUNNING → ABORTED   any → FREE (settled)
//   worker  QUEUED → RUNNING (start)   RUNNING → DONE (end)
//
// The executor hands piscina at most `capacity` jobs at once and frees a job's slot when
// piscina settles its Promise, before handing over the next job: a free slot always exists
// for a hand-off. Cost: a slot is taken and freed per job (a pop and a push), plus one
// Atomics.store at each end.

import { InternalError } from "../errors.js";

// The states are defined once, in runner.js, which the worker threads load as it is.
import { ABORTED, CANCELLED, DONE, FREE, QUEUED, RUNNING } from "./states.js";
export { ABORTED, CANCELLED, DONE, FREE, QUEUED, RUNNING };

/** The shared job states and the free slots among them. */
export class Slots {
  readonly buffer: SharedArrayBuffer;
  private readonly states: Int32Array;
  private readonly free: number[] = [];

  constructor(readonly capacity: number) {
    this.buffer = new SharedArrayBuffer(capacity * Int32Array.BYTES_PER_ELEMENT);
    this.states = new Int32Array(this.buffer);
    for (let i = capacity - 1; i >= 0; i--) this.free.push(i);
  }

  /** A free slot, marked QUEUED: its job is about to be posted to a worker. */
  take(): number {
    const slot = this.free.pop();
    if (slot === undefined)
      throw new InternalError(`executor: all ${this.capacity} job slots are taken at a hand-off`);
    Atomics.store(this.states, slot, QUEUED);
    return slot;
  }

  /** The job in `slot` settled: the slot is free for the next hand-off. */
  release(slot: number): void {
    Atomics.store(this.states, slot, FREE);
    this.free.push(slot);
  }

  /**
   * Asks the worker to drop or stop the job in `slot`: a job not started yet is marked
   * CANCELLED (the runner skips it); a running one is marked ABORTED and its thread woken
   * (its AbortSignal fires). Returns the state the job was in.
   */
  cancel(slot: number): number {
    const s = this.states;
    const was = Atomics.compareExchange(s, slot, QUEUED, CANCELLED);
    if (was !== RUNNING) return was;
    if (Atomics.compareExchange(s, slot, RUNNING, ABORTED) === RUNNING) Atomics.notify(s, slot);
    return RUNNING;
  }

  /** The state of `slot` now. */
  state(slot: number): number {
    return Atomics.load(this.states, slot);
  }
}
