// Subprocesses: asyncio's create_subprocess_exec / create_subprocess_shell on
// node:child_process, with the child's pipes as a StreamWriter (stdin) and StreamReaders
// (stdout, stderr).
//
// HOW. The task parks until the child is spawned ('spawn') or failed to ('error': ENOENT
// and friends as OSError). The child is held as an outside wait until it has exited and its
// pipes have closed. wait() parks until 'exit'; cancelling it leaves the child running (as
// asyncio) — libuv reaps every child that exits, so none becomes a zombie — and when the
// loop closes, a child still running is killed (asyncio's transport does the same on
// close), so nothing outlives its loop.
//
// returncode: the exit code, or minus the signal number if a signal ended it (Python's).

import type { ChildProcess, SpawnOptions } from "node:child_process";
// Node's built-ins through "#node-io" (portability: in a browser they throw NodeOnlyError).
import { osConstants as constants, spawn } from "#node-io";
import type { Readable } from "node:stream";
import { requireLoop } from "../kernel/event-loop.js";
import type { EventLoop } from "../kernel/loop.js";
import { suspend, type Instruction, type Operation } from "../kernel/operation.js";
import { gather } from "../combinators/gather.js";
import { BrokenPipeError, ConnectionResetError, osError } from "./errors.js";
import { track } from "./connection.js";
import { StreamReader } from "./stream-reader.js";
import { StreamWriter } from "./stream-writer.js";

/**
 * What to connect a child's stdin/stdout/stderr to: "pipe" (a stream in the Process),
 * "inherit" (this process's, asyncio's None), "ignore" (asyncio's DEVNULL).
 *
 * @example
 * ```ts
 * const io: StdioOption = "pipe";
 * ```
 */
export type StdioOption = "pipe" | "inherit" | "ignore";

/**
 * Options of createSubprocessExec / createSubprocessShell.
 *
 * @example
 * ```ts
 * const opts: SubprocessOptions = { stdout: "pipe", cwd: "/tmp", env: { LANG: "C" } };
 * ```
 */
export interface SubprocessOptions {
  stdin?: StdioOption;
  stdout?: StdioOption;
  stderr?: StdioOption;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The readers' buffer limit (default 64 KiB). */
  limit?: number;
}

const SIGNALS = constants.signals as Record<string, number | undefined>;

/**
 * A child process (asyncio.subprocess.Process).
 *
 * @example
 * ```ts
 * const proc = yield* createSubprocessExec("ls", ["-l"], { stdout: "pipe" });
 * const [out] = yield* proc.communicate();
 * console.log(proc.returncode, String(out));
 * ```
 */
export class Process {
  /** The child's stdin when it is a pipe, else null. */
  readonly stdin: StreamWriter | null;
  /** The child's stdout when it is a pipe, else null. */
  readonly stdout: StreamReader | null;
  /** The child's stderr when it is a pipe, else null. */
  readonly stderr: StreamReader | null;
  /** Exit code, minus the signal number if a signal ended it; null while it runs. */
  returncode: number | null = null;
  private readonly exitWaiters = new Set<() => void>();

  /** @internal */
  constructor(
    /** The Node child process. */
    readonly child: ChildProcess,
    loop: EventLoop,
    limit: number | undefined,
  ) {
    const readerOf = (r: Readable | null): StreamReader | null =>
      r === null ? null : pipeReader(r, limit);
    this.stdout = readerOf(child.stdout);
    this.stderr = readerOf(child.stderr);
    this.stdin =
      child.stdin === null ? null : new StreamWriter(child.stdin, { extra: { pid: child.pid } });
    // The child's stdin may be closed by the child first: a write then fails with EPIPE,
    // reported by drain(); an unhandled 'error' must not crash the process.
    child.stdin?.on("error", () => {});
    const hold = loop.holdExternal(`child process ${child.pid}`);
    const untrack = track(loop, { destroy: () => this.killIfRunning() });
    child.once("exit", (code, signal) => {
      this.returncode = code ?? -(SIGNALS[signal ?? ""] ?? 0);
      untrack();
      for (const w of this.exitWaiters) w();
      this.exitWaiters.clear();
    });
    child.once("close", () => hold.release());
  }

  /**
   * The child's process id.
   *
   * @example
   * ```ts
   * console.log(proc.pid);
   * ```
   */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /**
   * Waits for the child to exit; returns its returncode. Cancelling the wait leaves the
   * child running.
   *
   * @example
   * ```ts
   * const code = yield* proc.wait();
   * ```
   */
  wait(): Operation<number> {
    return suspend<number>(
      (waker) => {
        if (this.returncode !== null) return void waker.resume(this.returncode);
        const wake = () => void waker.resume(this.returncode!);
        this.exitWaiters.add(wake);
        return () => void this.exitWaiters.delete(wake);
      },
      { describe: `Process.wait (pid ${this.pid})` },
    );
  }

  /**
   * Sends `input` to stdin and closes it, reads stdout and stderr to EOF, waits for the
   * exit; returns `[stdout, stderr]` (null for a stream that is not a pipe).
   *
   * @example
   * ```ts
   * const proc = yield* createSubprocessExec("cat", [], { stdin: "pipe", stdout: "pipe" });
   * const [out] = yield* proc.communicate("hello");
   * ```
   */
  *communicate(
    input?: Uint8Array | string,
  ): Generator<Instruction | undefined, [Buffer | null, Buffer | null], unknown> {
    const stdin = this.stdin;
    const feed = function* (): Generator<Instruction | undefined, null, unknown> {
      if (stdin === null) return null;
      try {
        if (input !== undefined) {
          stdin.write(input);
          yield* stdin.drain();
        }
      } catch (e) {
        // asyncio ignores a child that closed its stdin early.
        if (!(e instanceof BrokenPipeError || e instanceof ConnectionResetError)) throw e;
      }
      stdin.close();
      return null;
    };
    const readAll = function* (r: StreamReader | null) {
      return r === null ? null : yield* r.read();
    };
    const [, out, err] = yield* gather(feed(), readAll(this.stdout), readAll(this.stderr));
    yield* this.wait();
    return [out, err];
  }

  /**
   * Sends `signal` (a name like "SIGTERM" or a number) to the child.
   *
   * @example
   * ```ts
   * proc.sendSignal("SIGINT");
   * ```
   */
  sendSignal(signal: NodeJS.Signals | number): void {
    if (this.returncode !== null) return;
    this.child.kill(signal);
  }

  /**
   * Asks the child to stop (SIGTERM).
   *
   * @example
   * ```ts
   * proc.terminate();
   * yield* proc.wait(); // -15
   * ```
   */
  terminate(): void {
    this.sendSignal("SIGTERM");
  }

  /**
   * Kills the child (SIGKILL).
   *
   * @example
   * ```ts
   * proc.kill();
   * yield* proc.wait(); // -9
   * ```
   */
  kill(): void {
    this.sendSignal("SIGKILL");
  }

  private killIfRunning(): void {
    if (this.returncode === null && this.child.exitCode === null) this.child.kill("SIGKILL");
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    this.child.stdin?.destroy();
  }
}

/** A StreamReader fed by a Readable (a child's stdout or stderr). */
function pipeReader(readable: Readable, limit: number | undefined): StreamReader {
  const reader = new StreamReader(limit === undefined ? {} : { limit });
  reader.setSource(readable);
  readable.on("data", (chunk: Buffer) => reader.feedData(chunk));
  readable.on("end", () => {
    if (!reader.eof) reader.feedEof();
  });
  readable.on("error", (e: unknown) => reader.setException(osError(e)));
  readable.on("close", () => {
    if (!reader.eof) reader.feedEof();
  });
  return reader;
}

/** Spawns and parks the task until the child runs (or failed to start). */
function* start(
  program: string,
  args: readonly string[],
  options: SubprocessOptions,
  shell: boolean,
): Generator<Instruction | undefined, Process, unknown> {
  const loop = requireLoop("createSubprocessExec()");
  const spawnOpts: SpawnOptions = {
    stdio: [options.stdin ?? "inherit", options.stdout ?? "inherit", options.stderr ?? "inherit"],
    shell,
  };
  if (options.cwd !== undefined) spawnOpts.cwd = options.cwd;
  if (options.env !== undefined) spawnOpts.env = options.env;
  const child = yield* suspend<ChildProcess>(
    (waker) => {
      const c = spawn(program, args, spawnOpts);
      const onError = (e: unknown) => void waker.fail(osError(e, `spawn ${program}`));
      c.once("error", onError);
      c.once("spawn", () => {
        c.off("error", onError);
        c.on("error", () => {}); // later errors (a failed kill) surface through wait()/pipes
        waker.resume(c);
      });
      return () => void c.kill("SIGKILL");
    },
    { describe: `spawn ${program}` },
  );
  return new Process(child, loop, options.limit);
}

/**
 * Runs `program` with `args` (asyncio.create_subprocess_exec); no shell. stdin, stdout and
 * stderr are inherited unless given as "pipe" or "ignore".
 *
 * @example
 * ```ts
 * const proc = yield* createSubprocessExec("echo", ["hello"], { stdout: "pipe" });
 * const line = yield* proc.stdout!.readline();
 * yield* proc.wait();
 * ```
 */
export function createSubprocessExec(
  program: string,
  args: readonly string[] = [],
  options: SubprocessOptions = {},
): Operation<Process> {
  return start(program, args, options, false);
}

/**
 * Runs `cmd` through the shell (asyncio.create_subprocess_shell).
 *
 * @example
 * ```ts
 * const proc = yield* createSubprocessShell("ls | wc -l", { stdout: "pipe" });
 * const [out] = yield* proc.communicate();
 * ```
 */
export function createSubprocessShell(
  cmd: string,
  options: SubprocessOptions = {},
): Operation<Process> {
  return start(cmd, [], options, true);
}
