import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["apps/**/*.test.ts", "packages/**/*.test.ts", "e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file starts its own servers and databases; two at a time suits a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
