// Subprocesses: pipes as streams, communicate(), returncodes (minus the signal), spawn
// errors, and no zombie or stray child when a wait is cancelled or the loop ends.

import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  OSError,
  TimeoutError,
  createSubprocessExec,
  createSubprocessShell,
  run,
  waitFor,
  type Process,
} from "../../src/index.js";
import { CORES, fdCount, settle } from "./helpers.js";

/** "Z" if the process is a zombie, null if it is gone (reaped). */
function procState(pid: number): string | null {
  const f = `/proc/${pid}/stat`;
  if (!existsSync(f)) return null;
  try {
    return readFileSync(f, "utf8").split(") ")[1]!.charAt(0);
  } catch {
    return null;
  }
}

describe.each(CORES)("%s core", (core) => {
  const opts = { core, clock: "real" } as const;

  test("exec with pipes: write stdin, read stdout line by line, returncode 0", async () => {
    const got = await run(function* () {
      const p = yield* createSubprocessExec("cat", [], { stdin: "pipe", stdout: "pipe" });
      p.stdin!.write("one\ntwo\n");
      yield* p.stdin!.drain();
      const first = (yield* p.stdout!.readline()).toString();
      p.stdin!.close();
      const rest = (yield* p.stdout!.read()).toString();
      return [first, rest, yield* p.wait(), p.returncode];
    }, opts);
    expect(got).toEqual(["one\n", "two\n", 0, 0]);
  });

  test("shell with communicate(): stdout and stderr apart, the exit code", async () => {
    const fds = fdCount();
    const got = await run(function* () {
      const p = yield* createSubprocessShell("read x; echo out:$x; echo err >&2; exit 3", {
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, err] = yield* p.communicate("hello\n");
      return [String(out), String(err), p.returncode];
    }, opts);
    expect(got).toEqual(["out:hello\n", "err\n", 3]);
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("terminate() and kill() give minus the signal number", async () => {
    const codes = await run(function* () {
      const a = yield* createSubprocessExec("sleep", ["30"]);
      const b = yield* createSubprocessExec("sleep", ["30"]);
      a.terminate();
      b.kill();
      return [yield* a.wait(), yield* b.wait()];
    }, opts);
    expect(codes).toEqual([-15, -9]);
  });

  test("a program that does not exist is OSError ENOENT", async () => {
    const e = await run(function* () {
      try {
        yield* createSubprocessExec("/no/such/program-xyz");
      } catch (err) {
        return err;
      }
      return null;
    }, opts);
    expect(e).toBeInstanceOf(OSError);
    expect((e as OSError).code).toBe("ENOENT");
  });

  test("a cancelled wait leaves no zombie; the loop's end kills what still runs", async () => {
    const fds = fdCount();
    let proc: Process | null = null;
    const outcome = await run(function* () {
      const p = yield* createSubprocessExec("sleep", ["30"]);
      proc = p;
      try {
        yield* waitFor(p.wait(), 50);
      } catch (e) {
        return [e instanceof TimeoutError, procState(p.pid)];
      }
      return null;
    }, opts);
    expect(outcome).toEqual([true, "S"]); // still running (asleep) after the cancelled wait
    const pid = (proc as Process | null)!.pid;
    // run() closed the loop: the child was killed and reaped — gone, not a zombie.
    expect(await settle(() => procState(pid) === null)).toBe(true);
    expect(await settle(() => fdCount() <= fds)).toBe(true);
  });

  test("a child that exits while nobody waits is reaped, not left a zombie", async () => {
    const state = await run(function* () {
      const p = yield* createSubprocessExec("true");
      const pid = p.pid;
      yield* waitFor(p.wait(), 5000);
      return procState(pid);
    }, opts);
    expect(state).toBe(null);
  });
});
