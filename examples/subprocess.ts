// asyncio's other stream user: child processes with their pipes as streams.
//
//   npx tsx examples/subprocess.ts
//
// Prints:
//   exec: hello from a child (returncode 0)          — stdout read line by line
//   shell: 3 lines, stderr "warning" (returncode 2)  — communicate(): input, stdout, stderr
//   sleep 30: killed by a timeout (returncode -9)    — waitFor() cancels the wait; kill()
//   3 children, all reaped

import { pathToFileURL } from "node:url";
import { TimeoutError, createSubprocessExec, createSubprocessShell, run, waitFor } from "spindle";

/** Options of main. */
export interface Options {
  clock?: "real" | "virtual";
  /** Where the lines go; default console.log. */
  log?: (line: string) => void;
}

export async function main({ log = console.log }: Options = {}): Promise<void> {
  await run(function* () {
    const echo = yield* createSubprocessExec("echo", ["hello from a child"], { stdout: "pipe" });
    const line = (yield* echo.stdout!.readline()).toString().trimEnd();
    log(`exec: ${line} (returncode ${yield* echo.wait()})`);

    const sh = yield* createSubprocessShell("wc -l; echo warning >&2; exit 2", {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err] = yield* sh.communicate("a\nb\nc\n");
    log(
      `shell: ${String(out).trim()} lines, stderr "${String(err).trim()}" (returncode ${sh.returncode})`,
    );

    const sleeper = yield* createSubprocessExec("sleep", ["30"]);
    try {
      yield* waitFor(sleeper.wait(), 100);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      sleeper.kill(); // the cancelled wait left it running: stop it, then reap it
      log(`sleep 30: killed by a timeout (returncode ${yield* sleeper.wait()})`);
    }
    log("3 children, all reaped");
  });
}

// Run when executed directly (npx tsx examples/subprocess.ts), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
