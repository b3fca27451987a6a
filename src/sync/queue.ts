// Queue, PriorityQueue, LifoQueue: producer/consumer queues between tasks (asyncio.Queue).
//
// HOW, as asyncio 3.11: a store of items (FIFO, heap or stack — the one thing the three
// classes change, asyncio's _init/_put/_get) plus two WaitQueues: getters parked on an
// empty queue and putters parked on a full one. Items stay in the store: putNowait adds
// the item and wakes the oldest getter, which takes an item when it runs (the best one
// present then, for a PriorityQueue); getNowait takes one and wakes the oldest putter,
// which puts its item when it runs. A woken task that finds the queue empty (or full)
// again — someone else was faster — parks again at the back, as asyncio's `while` loops.
//
// Cancellation: a waiter cancelled while parked leaves its WaitQueue through its undo. A
// waiter cancelled after it was woken but before it ran meets CancelledError (the kernel's
// rule) and wakes the next waiter in its place (abandon): the item it would have taken
// stays in the store for someone else. No item is lost or delivered twice.
//
// `unfinished` counts items put and not yet marked taskDone(); join() parks until
// taskDone() brings it to zero.
//
// Cost: put/get O(1) for Queue and LifoQueue, O(log n) for PriorityQueue; taskDone O(1),
// O(joiners) when the count reaches zero.

import { describe } from "../errors.js";
import { NOT_YET, type Instruction, type Operation, type Waker } from "../kernel/operation.js";
import { defaultOrder } from "./priority-order.js";
import { StableHeap, type Compare } from "./stable-heap.js";
import { WaitQueue, Waiting } from "./wait-queue.js";

/**
 * Thrown by putNowait on a full queue (asyncio.QueueFull).
 *
 * @example
 * ```ts
 * try { q.putNowait(x); } catch (e) { if (e instanceof QueueFull) dropped++; }
 * ```
 */
export class QueueFull extends Error {
  override name = "QueueFull";
}

/**
 * Thrown by getNowait on an empty queue (asyncio.QueueEmpty).
 *
 * @example
 * ```ts
 * try { q.getNowait(); } catch (e) { if (e instanceof QueueEmpty) idle(); }
 * ```
 */
export class QueueEmpty extends Error {
  override name = "QueueEmpty";
}

/**
 * Options of Queue and LifoQueue.
 *
 * @example
 * ```ts
 * new Queue<string>({ maxsize: 100 });
 * ```
 */
export interface QueueOptions {
  /** Most items the queue holds before put() waits; 0 (the default) means no limit. */
  maxsize?: number;
}

/**
 * Options of PriorityQueue.
 *
 * @example
 * ```ts
 * new PriorityQueue<Job>({ compare: (a, b) => a.priority - b.priority });
 * ```
 */
export interface PriorityQueueOptions<T> extends QueueOptions {
  /** Item order: negative if `a` comes out first. Default: Python's tuple order. */
  compare?: Compare<T>;
}

/**
 * Where a queue keeps its items; subclasses of Queue choose one by overriding
 * `createStore` (asyncio's _init/_put/_get/_qsize).
 *
 * @example
 * ```ts
 * class Stack<T> implements QueueStore<T> {
 *   private a: T[] = [];
 *   get size() { return this.a.length; }
 *   add(item: T) { this.a.push(item); }
 *   take() { return this.a.pop()!; }
 * }
 * ```
 */
export interface QueueStore<T> {
  readonly size: number;
  /** Stores an item; may throw (then it must store nothing). */
  add(item: T): void;
  /** Removes and returns the next item (size > 0); may throw (then it must remove nothing). */
  take(): T;
}

/**
 * What Queue.statistics() reports (trio's statistics(), plus asyncio's counters).
 *
 * @example
 * ```ts
 * const { qsize, tasksWaitingGet, unfinishedTasks } = q.statistics();
 * ```
 */
export interface QueueStatistics {
  /** Items in the queue. */
  qsize: number;
  /** The queue's maxsize (0: unbounded). */
  maxsize: number;
  /** Items put and not yet marked taskDone(). */
  unfinishedTasks: number;
  /** Tasks parked in get(). */
  tasksWaitingGet: number;
  /** Tasks parked in put(). */
  tasksWaitingPut: number;
  /** Tasks parked in join(). */
  tasksWaitingJoin: number;
}

/**
 * A first-in first-out queue between tasks (asyncio.Queue). With a `maxsize`, put() waits
 * while the queue is full; get() waits while it is empty. taskDone() and join() let a
 * producer wait until every item was processed.
 *
 * @example
 * ```ts
 * const q = new Queue<string>(10);
 * createTask(function* () {
 *   for (;;) {
 *     const url = yield* q.get();
 *     yield* fromPromise(fetch(url));
 *     q.taskDone();
 *   }
 * });
 * yield* q.put("https://example.com");
 * yield* q.join(); // every url fetched
 * ```
 */
export class Queue<T> {
  /** Most items the queue holds; 0 means no limit. */
  readonly maxsize: number;
  /** The items. */
  protected readonly store: QueueStore<T>;
  /** @internal */ readonly getters = new WaitQueue<Waker<T>>();
  /** @internal */ readonly putters = new WaitQueue<Waker<void>>();
  private readonly joiners = new WaitQueue<Waker<void>>();
  private unfinished = 0;

  /** `new Queue(maxsize)` or `new Queue({ maxsize })`; maxsize 0 (default): unbounded. */
  constructor(init?: number | QueueOptions) {
    const options = readOptions(this.constructor.name, init);
    this.maxsize = checkMaxsize(this.constructor.name, options.maxsize);
    this.store = this.createStore(options);
  }

  /**
   * Makes the store; subclasses override it to change the order. Called from the
   * constructor, so it must use `options` only, not instance fields.
   */
  protected createStore(options: QueueOptions): QueueStore<T> {
    checkOptionNames(this.constructor.name, options, ["maxsize"]);
    return new FifoStore<T>();
  }

  /**
   * Puts `item`, waiting while the queue is full (FIFO among waiting putters). If the task
   * is cancelled while it waits, the item is not put.
   *
   * @example
   * ```ts
   * yield* q.put(job);
   * ```
   */
  put(item: T): Operation<void> {
    return new Put(this, item);
  }

  /**
   * Takes the next item, waiting while the queue is empty (FIFO among waiting getters). An
   * item handed to a getter is never lost: if it is cancelled at that moment, get() still
   * returns the item and the cancellation lands at its next suspension.
   *
   * @example
   * ```ts
   * const job = yield* q.get();
   * ```
   */
  get(): Operation<T> {
    return new Get(this);
  }

  /**
   * Puts `item` without waiting; throws QueueFull if the queue is full.
   *
   * @example
   * ```ts
   * q.putNowait(job);
   * ```
   */
  putNowait(item: T): void {
    if (this.full()) throw new QueueFull(`spindle: the queue is full (maxsize ${this.maxsize})`);
    this.store.add(item);
    this.unfinished++;
    this.wakeUpNext(this.getters);
  }

  /**
   * Takes the next item without waiting; throws QueueEmpty if there is none.
   *
   * @example
   * ```ts
   * const job = q.getNowait();
   * ```
   */
  getNowait(): T {
    if (this.store.size === 0) throw new QueueEmpty("spindle: the queue is empty");
    const item = this.store.take();
    this.wakeUpNext(this.putters);
    return item;
  }

  /**
   * Marks one item taken with get() as processed; when every item put so far is, join()
   * returns. Throws RangeError if called more times than items were put.
   *
   * @example
   * ```ts
   * const job = yield* q.get();
   * try { yield* handle(job); } finally { q.taskDone(); }
   * ```
   */
  taskDone(): void {
    if (this.unfinished === 0)
      throw new RangeError(
        "spindle: Queue.taskDone() called more times than items were put in the queue",
      );
    if (--this.unfinished > 0) return;
    for (let node = this.joiners.shift(); node !== null; node = this.joiners.shift())
      node.value.resume();
  }

  /**
   * Waits until every item put in the queue has been marked taskDone() (returns at once if
   * none is pending).
   *
   * @example
   * ```ts
   * for (const url of urls) yield* q.put(url);
   * yield* q.join();
   * ```
   */
  *join(): Generator<Instruction | undefined, void, unknown> {
    if (this.unfinished === 0) return;
    yield* new Join(this.joiners);
  }

  /**
   * How many items the queue holds.
   *
   * @example
   * ```ts
   * q.qsize(); // 3
   * ```
   */
  qsize(): number {
    return this.store.size;
  }

  /**
   * True if the queue holds no item.
   *
   * @example
   * ```ts
   * if (q.empty()) console.log("idle");
   * ```
   */
  empty(): boolean {
    return this.store.size === 0;
  }

  /**
   * True if the queue holds maxsize items (never, for an unbounded queue).
   *
   * @example
   * ```ts
   * if (!q.full()) q.putNowait(x);
   * ```
   */
  full(): boolean {
    return this.maxsize > 0 && this.store.size >= this.maxsize;
  }

  /**
   * A snapshot for debugging and tests.
   *
   * @example
   * ```ts
   * q.statistics().tasksWaitingGet; // 2
   * ```
   */
  statistics(): QueueStatistics {
    return {
      qsize: this.store.size,
      maxsize: this.maxsize,
      unfinishedTasks: this.unfinished,
      tasksWaitingGet: this.getters.size,
      tasksWaitingPut: this.putters.size,
      tasksWaitingJoin: this.joiners.size,
    };
  }

  /** @internal Wakes the oldest parked getter or putter (asyncio's _wakeup_next). */
  wakeUpNext(waiters: WaitQueue<Waker<T>> | WaitQueue<Waker<void>>): void {
    for (let node = waiters.shift(); node !== null; node = waiters.shift()) {
      if ((node.value as Waker<unknown>).resume(undefined)) return;
    }
  }
}

/**
 * A queue that hands out the smallest item first (asyncio.PriorityQueue): a binary heap.
 * By default items are ordered like Python tuples — numbers, strings, and arrays such as
 * `[priority, data]` lexicographically; pass `compare` for anything else. Equal items come
 * out in the order they were put.
 *
 * @example
 * ```ts
 * const q = new PriorityQueue<[number, string]>();
 * q.putNowait([2, "later"]);
 * q.putNowait([1, "first"]);
 * q.getNowait(); // [1, "first"]
 * const jobs = new PriorityQueue<Job>({ maxsize: 100, compare: (a, b) => a.due - b.due });
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  /** `new PriorityQueue(maxsize)` or `new PriorityQueue({ maxsize, compare })`. */
  constructor(init?: number | PriorityQueueOptions<T>) {
    super(init);
  }

  protected override createStore(options: PriorityQueueOptions<T>): QueueStore<T> {
    checkOptionNames(this.constructor.name, options, ["maxsize", "compare"]);
    const compare = options.compare ?? defaultOrder;
    if (typeof compare !== "function")
      throw new TypeError(
        `spindle: ${this.constructor.name} option compare must be a function (a, b) => number, ` +
          `got ${describe(compare)}`,
      );
    return new StableHeap<T>(compare);
  }
}

/**
 * A last-in first-out queue, a stack (asyncio.LifoQueue).
 *
 * @example
 * ```ts
 * const q = new LifoQueue<number>();
 * q.putNowait(1);
 * q.putNowait(2);
 * q.getNowait(); // 2
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  protected override createStore(options: QueueOptions): QueueStore<T> {
    checkOptionNames(this.constructor.name, options, ["maxsize"]);
    return new StackStore<T>();
  }
}

/**
 * `yield* q.get()`: an item now if the queue has one, else a place among the getters; a
 * woken getter takes an item when it runs, or parks again if others were faster. A class,
 * not a generator: a get that need not wait allocates one small object.
 */
class Get<T> extends Waiting<T> {
  constructor(private readonly queue: Queue<T>) {
    super(queue.getters);
  }
  protected attempt(): T | typeof NOT_YET {
    return this.queue.empty() ? NOT_YET : this.queue.getNowait();
  }
  protected override resume(): T | typeof NOT_YET {
    return this.attempt();
  }
  protected override abandon(): void {
    // Woken, then cancelled before we ran: the item stays for the next getter.
    if (!this.queue.empty()) this.queue.wakeUpNext(this.queue.getters);
  }
  override describe(): string {
    return `${this.queue.constructor.name}.get`;
  }
}

/** `yield* q.put(item)`: in now if there is room, else a place among the putters. */
class Put<T> extends Waiting<void> {
  constructor(
    private readonly queue: Queue<T>,
    private readonly item: T,
  ) {
    super(queue.putters);
  }
  protected attempt(): void | typeof NOT_YET {
    if (this.queue.full()) return NOT_YET;
    this.queue.putNowait(this.item);
  }
  protected override resume(): void | typeof NOT_YET {
    try {
      return this.attempt();
    } catch (e) {
      // The store refused our item (a PriorityQueue key it cannot order): put() throws, as
      // putNowait would, and the slot we were woken for goes to the next putter. (asyncio
      // leaves that putter parked until the next get.)
      this.abandon();
      throw e;
    }
  }
  protected override abandon(): void {
    // Woken, then cancelled before we ran: the free slot goes to the next putter.
    if (!this.queue.full()) this.queue.wakeUpNext(this.queue.putters);
  }
  override describe(): string {
    return `${this.queue.constructor.name}.put`;
  }
}

/** `yield* q.join()` while items are unfinished: parked until taskDone() reaches zero. */
class Join extends Waiting<void> {
  protected attempt(): typeof NOT_YET {
    return NOT_YET;
  }
  override describe(): string {
    return "Queue.join";
  }
}

/** First capacity of a FifoStore's ring; it doubles when full. A small power of two. */
const FIFO_INITIAL = 8;

/**
 * FIFO store: a ring of power-of-two capacity. Emptying it resets nothing: a queue that
 * empties on every get (ping-pong) neither reallocates nor shrinks its array.
 */
class FifoStore<T> implements QueueStore<T> {
  private ring: (T | undefined)[] = new Array<T | undefined>(FIFO_INITIAL).fill(undefined);
  private mask = FIFO_INITIAL - 1;
  private head = 0;
  private count = 0;
  get size(): number {
    return this.count;
  }
  add(item: T): void {
    if (this.count > this.mask) this.grow();
    this.ring[(this.head + this.count) & this.mask] = item;
    this.count++;
  }
  take(): T {
    const h = this.head;
    const item = this.ring[h] as T;
    this.ring[h] = undefined; // let the item be collected
    this.head = (h + 1) & this.mask;
    this.count--;
    return item;
  }
  private grow(): void {
    const cap = this.mask + 1;
    const next = new Array<T | undefined>(cap * 2).fill(undefined);
    for (let k = 0; k < cap; k++) next[k] = this.ring[(this.head + k) & this.mask];
    this.ring = next;
    this.head = 0;
    this.mask = cap * 2 - 1;
  }
}

/** LIFO store: an array used as a stack. */
class StackStore<T> implements QueueStore<T> {
  private readonly items: T[] = [];
  get size(): number {
    return this.items.length;
  }
  add(item: T): void {
    this.items.push(item);
  }
  take(): T {
    return this.items.pop() as T;
  }
}

/** Normalises the constructor argument: a maxsize, an options object, or nothing. */
function readOptions(what: string, init: unknown): QueueOptions {
  if (init === undefined) return {};
  if (typeof init === "number") return { maxsize: init };
  if (typeof init === "object" && init !== null && !Array.isArray(init)) return init;
  throw new TypeError(
    `spindle: ${what}(init) takes a maxsize number or an options object, got ${describe(init)}`,
  );
}

function checkMaxsize(what: string, maxsize: unknown): number {
  if (maxsize === undefined) return 0;
  if (typeof maxsize !== "number" || Number.isNaN(maxsize))
    throw new TypeError(`spindle: ${what} maxsize must be a number, got ${describe(maxsize)}`);
  if (maxsize < 0 || !Number.isInteger(maxsize))
    throw new RangeError(
      `spindle: ${what} maxsize must be an integer >= 0 (0: unbounded), got ${maxsize}`,
    );
  return maxsize;
}

/** Rejects misspelt options (`maxSize`), which would otherwise be ignored silently. */
function checkOptionNames(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key))
      throw new TypeError(
        `spindle: ${what} has no option ${JSON.stringify(key)} (its options: ${known.join(", ")})`,
      );
  }
}
