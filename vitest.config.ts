import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["apps/**/*.test.ts", "packages/**/*.test.ts", "e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Migrated template databases every test server starts from a copy of (see db-template.ts).
    globalSetup: ["apps/server/src/test/global-setup.ts"],
    // Each file starts its own servers and databases; two at a time suits a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
