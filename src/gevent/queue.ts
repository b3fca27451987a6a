// gevent.queue: spindle's queues under gevent's names, with gevent's
// get(block, timeout) / put(item, block, timeout) (a timeout raises Empty / Full).

import { TimeoutError } from "../errors.js";
import type { Instruction, Operation } from "../kernel/operation.js";
import { waitFor } from "../combinators/timeout.js";
import {
  LifoQueue as SpindleLifoQueue,
  PriorityQueue as SpindlePriorityQueue,
  Queue as SpindleQueue,
  QueueEmpty,
  QueueFull,
} from "../sync/queue.js";
import { checkTimeout } from "./linkable.js";

/** gevent.queue.Empty (spindle's QueueEmpty): get without waiting found nothing. */
export const Empty = QueueEmpty;
/** gevent.queue.Full (spindle's QueueFull): put without waiting found no room. */
export const Full = QueueFull;

function* getWith<T>(
  q: SpindleQueue<T>,
  get: () => Operation<T>,
  block: boolean,
  timeout: number | null | undefined,
): Generator<Instruction | undefined, T, unknown> {
  if (!block) return q.getNowait();
  if (timeout == null) return yield* get();
  checkTimeout(timeout);
  try {
    return yield* waitFor(get(), Math.max(0, timeout));
  } catch (e) {
    if (e instanceof TimeoutError) throw new QueueEmpty();
    throw e;
  }
}

function* putWith<T>(
  q: SpindleQueue<T>,
  put: () => Operation<void>,
  item: T,
  block: boolean,
  timeout: number | null | undefined,
): Generator<Instruction | undefined, void, unknown> {
  if (!block) return q.putNowait(item);
  if (timeout == null) return yield* put();
  checkTimeout(timeout);
  try {
    yield* waitFor(put(), Math.max(0, timeout));
  } catch (e) {
    if (e instanceof TimeoutError) throw new QueueFull();
    throw e;
  }
}

/**
 * gevent.queue.Queue: `new Queue(maxsize?)` (unbounded by default);
 * `yield* q.get(block?, timeout?)`, `yield* q.put(item, block?, timeout?)`, `getNowait`,
 * `putNowait`, `qsize`, `empty`, `full`, and (as JoinableQueue) `taskDone` / `join`.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const q = new gevent.queue.Queue<string>();
 * yield* q.put("job");
 * const job = yield* q.get(true, 100); // throws Empty after 100 ms
 * ```
 */
export class Queue<T> extends SpindleQueue<T> {
  override get(block = true, timeout?: number | null): Operation<T> {
    return getWith(this, () => super.get(), block, timeout);
  }
  override put(item: T, block = true, timeout?: number | null): Operation<void> {
    return putWith(this, () => super.put(item), item, block, timeout);
  }
}

/**
 * gevent.queue.JoinableQueue: a Queue whose `yield* q.join()` waits until every item put
 * was matched by a `taskDone()` (spindle's queues all can).
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const q = new gevent.queue.JoinableQueue<number>();
 * q.putNowait(1);
 * q.taskDone();
 * yield* q.join();
 * ```
 */
export class JoinableQueue<T> extends Queue<T> {}

/**
 * gevent.queue.PriorityQueue: smallest first.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const q = new gevent.queue.PriorityQueue<number>();
 * ```
 */
export class PriorityQueue<T> extends SpindlePriorityQueue<T> {
  override get(block = true, timeout?: number | null): Operation<T> {
    return getWith(this, () => super.get(), block, timeout);
  }
  override put(item: T, block = true, timeout?: number | null): Operation<void> {
    return putWith(this, () => super.put(item), item, block, timeout);
  }
}

/**
 * gevent.queue.LifoQueue: last in, first out.
 *
 * @example
 * ```ts
 * import * as gevent from "spindle/gevent";
 *
 * const q = new gevent.queue.LifoQueue<number>();
 * ```
 */
export class LifoQueue<T> extends SpindleLifoQueue<T> {
  override get(block = true, timeout?: number | null): Operation<T> {
    return getWith(this, () => super.get(), block, timeout);
  }
  override put(item: T, block = true, timeout?: number | null): Operation<void> {
    return putWith(this, () => super.put(item), item, block, timeout);
  }
}
