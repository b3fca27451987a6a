import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // gevent: "#gevent-net" to the source while testing src/, as tsconfig.json's paths do
  // (package.json maps it to dist/, whose streams would run on dist/'s own kernel).
  resolve: {
    alias: {
      "#gevent-net": fileURLToPath(new URL("./src/gevent/net-node.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Property tests and million-entry tests are CPU-bound; two cores, two workers.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
