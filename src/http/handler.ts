// What a handler and a middleware are, and how one is called. A handler is a generator
// function or an async function (a plain function returning a response works too); it
// runs inside the request's task. A middleware gets the request and the next handler, and
// calls it with `yield* handler(request)` or `await handler(request)`: the next handler is
// a Dual, both an operation and a PromiseLike.

import { asOperation, type Instruction } from "../index.js";
import { Dual } from "./op.js";
import type { HTTPException } from "./exceptions.js";
import type { Request } from "./request.js";
import type { StreamResponse } from "./response.js";

/** What a handler may return: a response, or an HTTP exception to answer with. */
export type HandlerResult = StreamResponse | HTTPException;

/** A request handler: a generator function, an async function or a plain function. */
export type Handler = (
  request: Request,
) =>
  | Generator<Instruction | undefined, HandlerResult, unknown>
  | PromiseLike<HandlerResult>
  | HandlerResult;

/** The next handler as a middleware sees it: yield* it or await it. */
export type NextHandler = (request: Request) => Dual<HandlerResult>;

/** A middleware (aiohttp's `@web.middleware`): a generator function or an async function. */
export type Middleware = (
  request: Request,
  handler: NextHandler,
) =>
  | Generator<Instruction | undefined, HandlerResult, unknown>
  | PromiseLike<HandlerResult>
  | HandlerResult;

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as unknown;

/** Runs `fn(...args)` as an operation inside the current task, whatever kind of function. */
export function* call<A extends unknown[]>(
  fn: (...args: A) => unknown,
  ...args: A
): Generator<Instruction | undefined, HandlerResult, unknown> {
  if ((fn as unknown) instanceof (GeneratorFunction as typeof Function))
    return yield* fn(...args) as Generator<Instruction | undefined, HandlerResult, unknown>;
  // asOperation runs an async function with the task as its context (currentTask() works).
  return (yield* asOperation(() => fn(...args) as PromiseLike<HandlerResult>)) as HandlerResult;
}

/** Wraps `handler` in `middlewares` (the first is the outermost, as in aiohttp). */
export function chain(handler: Handler, middlewares: readonly Middleware[]): NextHandler {
  let next: NextHandler = (request) => new Dual(() => call(handler, request));
  for (let i = middlewares.length - 1; i >= 0; i--) {
    const mw = middlewares[i]!;
    const inner = next;
    next = (request) => new Dual(() => call(mw, request, inner));
  }
  return next;
}
