// Which loop and task are running. A loop sets `running` for the length of a drive (all
// synchronous code a task runs); async functions started as tasks carry the same context
// across their awaits through AsyncLocalStorage, so currentTask() works there too — on Node,
// Bun and Deno. Elsewhere (browsers) "#node-host" gives a store that lasts for the
// synchronous part of a call only: currentTask() works in generators always, and in an async
// function up to its first await.

import { AsyncLocalStorage } from "#node-host";
import type { EventLoop } from "./loop.js";
import type { Task } from "./task.js";

export interface RunContext {
  loop: EventLoop;
  task: Task<unknown>;
}

export const asyncContext = new AsyncLocalStorage<RunContext>();

/** The loop whose drive is on the stack right now (set/restored by EventLoop). */
export const running: { loop: EventLoop | null } = { loop: null };
