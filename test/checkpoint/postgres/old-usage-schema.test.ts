// A Postgres schema from before issue 16's usage sums (version 2: the same tables, without
// usage_totals) is brought to version 3 on first use, its sums filled from the checkpoints it holds.
import { afterAll, beforeAll, expect, it } from "vitest";
import { namespaceKey, PostgresCheckpointer, type CheckpointRecord } from "../../../src/index.js";
import { createTestDatabase, type TestDatabase } from "../../support/postgres.js";
import { checkpointRecord, logWrite } from "../graphs.js";
import { adminClient } from "./admin.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("old_usage");
}, 60_000);
afterAll(async () => database.drop(), 60_000);

const spent = (id: string, parentId: string | undefined, input: number, runId?: string) => {
  const record: CheckpointRecord = checkpointRecord(id, parentId);
  const usage = { a: { input_tokens: input, output_tokens: 1, total_tokens: input + 1 } };
  return {
    ...record,
    metadata: { ...record.metadata, usage, ...(runId ? { run_id: runId } : {}) },
  };
};

it("a version-2 schema gets its usage sums from its checkpoints on first use", async () => {
  const writer = new PostgresCheckpointer(database.url, { schema: "old" });
  await writer.commit("t", spent("cp-1", undefined, 10), logWrite("cp-1"));
  await writer.commit("t", spent("cp-2", "cp-1", 20, "run-2"), []);
  await writer.commit(namespaceKey("t", "research:cp-2:0"), spent("cp-3", undefined, 30), []);
  await writer.close();
  const admin = await adminClient(database.url);
  try {
    // As Switchyard before issue 16 left the schema.
    await admin.query("DROP TABLE old.usage_totals");
    await admin.query("UPDATE old.schema_version SET version = 2");

    const store = new PostgresCheckpointer(database.url, { schema: "old" });
    try {
      const usage = await store.getUsage("t");
      expect(usage.nodes).toEqual({
        a: { input_tokens: 30, output_tokens: 2, total_tokens: 32 },
        "research|a": { input_tokens: 30, output_tokens: 1, total_tokens: 31 },
      });
      expect((await store.getUsage("t", { runId: "run-2" })).total.input_tokens).toBe(20);
      await store.commit("t", spent("cp-4", "cp-2", 5), []);
      expect((await store.getUsage("t")).total.input_tokens).toBe(65);
    } finally {
      await store.close();
    }
    const { rows } = await admin.query<{ version: number }>(
      "SELECT version FROM old.schema_version",
    );
    expect(rows[0]?.version).toBe(3);
  } finally {
    await admin.end();
  }
}, 60_000);
