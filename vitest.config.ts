import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Property tests and million-entry tests are CPU-bound; two cores, two workers.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
