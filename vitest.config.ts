import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: false },
    // Generous: many tests start real processes (CLI, servers, workers) on a shared, noisy machine;
    // a timeout here catches a hang, never a speed target (those are in `npm run bench`).
    testTimeout: 60_000,
    // One throwaway PostgreSQL cluster per run, for the Postgres checkpointer, queue and fleet tests.
    globalSetup: ["test/support/global-postgres.ts"],
  },
});
