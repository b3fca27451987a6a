// `npm run bench:runtimes`: the cross-runtime shapes — bare-yield switches, sleep(0), timers
// at core level — on Node, Bun and Deno side by side, both cores. Each runtime runs
// bench/runtimes-child.mjs (the same JavaScript, on the built dist/) in rounds that alternate
// the runtimes, so a change in the machine's load falls on all three alike; the report is the
// median per operation of every measured iteration, and the ratio to Node in the same run.
// Bun and Deno are the devDependencies' binaries (node_modules/.bin).
//
//   npm run bench:runtimes [-- --rounds 3 --iterations 5]

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CHILD = fileURLToPath(new URL("./runtimes-child.mjs", import.meta.url));
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg("rounds", 3);
const ITERATIONS = arg("iterations", 5);

interface Runtime {
  name: string;
  bin: string;
  args: string[];
}
const RUNTIMES: Runtime[] = [
  { name: "Node", bin: process.execPath, args: [] },
  { name: "Bun", bin: `${ROOT}node_modules/.bin/bun`, args: [] },
  { name: "Deno", bin: `${ROOT}node_modules/.bin/deno`, args: ["run", "-A"] },
];

const version = (rt: Runtime): string =>
  execFileSync(rt.bin, ["--version"], { encoding: "utf8" })
    .split("\n")[0]!
    .replace(/^deno /, "")
    .trim();

let WORK: Record<string, number> = {}; // operations per iteration, as the child reports
const times = new Map<string, number[]>(); // `${runtime}|${shape}|${core}` -> ms
for (let round = 0; round < ROUNDS; round++) {
  for (const rt of RUNTIMES) {
    const out = execFileSync(rt.bin, [...rt.args, CHILD, String(ITERATIONS)], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 16 << 20,
    });
    const result = JSON.parse(out.trim().split("\n").at(-1)!) as {
      work: Record<string, number>;
      times: Record<string, number[]>;
    };
    WORK = result.work;
    for (const [key, ms] of Object.entries(result.times)) {
      const k = `${rt.name}|${key}`;
      times.set(k, [...(times.get(k) ?? []), ...ms]);
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS}: ${rt.name} done\n`);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

console.log(`Runtimes: ${RUNTIMES.map((rt) => `${rt.name} ${version(rt)}`).join(", ")}.`);
console.log(
  `${ROUNDS} rounds x ${ITERATIONS} iterations per runtime, after 2 warm-up iterations each; ` +
    "median ns per operation, ratio to Node in parentheses.\n",
);
console.log(`| shape | core | ${RUNTIMES.map((rt) => rt.name).join(" | ")} |`);
console.log(`| --- | --- | ${RUNTIMES.map(() => "---:").join(" | ")} |`);
for (const [shape, work] of Object.entries(WORK)) {
  for (const core of ["wasm", "ts"]) {
    const ns = RUNTIMES.map(
      (rt) => (median(times.get(`${rt.name}|${shape}|${core}`)!) * 1e6) / work,
    );
    const cells = ns.map((v, i) =>
      i === 0 ? v.toFixed(0) : `${v.toFixed(0)} (${(v / ns[0]!).toFixed(2)})`,
    );
    console.log(`| ${shape} (${work.toLocaleString("en")}) | ${core} | ${cells.join(" | ")} |`);
  }
}
