import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: false },
    testTimeout: 20_000,
    // One throwaway PostgreSQL cluster per run, for the Postgres checkpointer, queue and fleet tests.
    globalSetup: ["test/support/global-postgres.ts"],
  },
});
