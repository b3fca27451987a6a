// The executor benchmark's job, run on worker threads (plain JavaScript: a worker thread
// loads it with Node's own loader). One argument, so piscina can call it directly too.

/** Naive Fibonacci: a small CPU-bound function whose cost is set by n. */
export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
