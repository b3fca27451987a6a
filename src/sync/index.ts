// Synchronisation primitives (asyncio's Lock, Event, Condition, Semaphore, BoundedSemaphore
// and queues), built on the kernel's public operations only (Attempt, Waker). This file
// only re-exports.

export { Lock, type LockStatistics } from "./lock.js";
export { Event, type EventStatistics } from "./event.js";
export { Condition, type ConditionStatistics } from "./condition.js";
export { BoundedSemaphore, Semaphore, type SemaphoreStatistics } from "./semaphore.js";
export {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  type PriorityQueueOptions,
  type QueueOptions,
  type QueueStatistics,
  type QueueStore,
} from "./queue.js";
export { defaultOrder } from "./priority-order.js";
export type { Compare } from "./stable-heap.js";
export type { Body } from "./scoped.js";
export { WaitNode, WaitQueue, Waiting } from "./wait-queue.js";
