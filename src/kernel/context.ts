// Which loop and task are running. A loop sets `running` for the length of a drive (all
// synchronous code a task runs); async functions started as tasks carry the same context
// across their awaits through AsyncLocalStorage, so currentTask() works there too.

import { AsyncLocalStorage } from "node:async_hooks";
import type { EventLoop } from "./loop.js";
import type { Task } from "./task.js";

export interface RunContext {
  loop: EventLoop;
  task: Task<unknown>;
}

export const asyncContext = new AsyncLocalStorage<RunContext>();

/** The loop whose drive is on the stack right now (set/restored by EventLoop). */
export const running: { loop: EventLoop | null } = { loop: null };
