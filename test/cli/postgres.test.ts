// The CLI against Postgres (--postgres URL / SWITCHYARD_POSTGRES), through the real process: read
// commands create nothing, run creates the schema, and approve, inbox, show, history, audit, fork,
// prune work on the shared database as they do on a SQLite file.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresCheckpointer } from "../../src/index.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { freePort } from "../support/postgres-cluster.js";
import { FIXTURE_GRAPHS, json, runCli, STACK_FRAME, waitingOf } from "./run-cli.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("cli");
}, 60_000);
afterAll(async () => database.drop(), 60_000);

/** `switchyard --postgres <url> --exit-code --graphs <fixtures> ...args`. */
const cli = (...args: string[]) =>
  runCli(["--postgres", database.url, "--exit-code", "--graphs", FIXTURE_GRAPHS, ...args]);

async function schemaExists(): Promise<boolean> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT 1 FROM information_schema.schemata WHERE schema_name = 'switchyard'`,
    );
    return rows.length > 0;
  } finally {
    await client.end();
  }
}

interface InboxRow {
  threadId: string;
  node: string;
  interruptId: string;
}

describe("switchyard --postgres", () => {
  it("read commands on an empty database say so and create nothing", async () => {
    for (const command of [["inbox"], ["threads"], ["show", "x"], ["history", "x"]]) {
      const result = await cli(...command);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain("error SCHEMA_NOT_FOUND: ");
      expect(result.stderr).toContain('no Switchyard tables (schema "switchyard")');
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
    expect(await schemaExists()).toBe(false);
  }, 120_000);

  it("run, inbox, approve, show, audit, history, fork and prune on one shared database", async () => {
    const started = await cli("run", "parallel-approvals", "--thread", "contract");
    expect(started.code, started.stderr).toBe(3);
    const { legal, finance } = waitingOf(started.stdout);
    expect(await schemaExists()).toBe(true);

    // The inbox from another process, found through the environment variable.
    const inbox = await runCli(["--json", "inbox"], { SWITCHYARD_POSTGRES: database.url });
    expect(inbox.code, inbox.stderr).toBe(0);
    const rows = json<InboxRow[]>(inbox.stdout);
    expect(rows.map((row) => [row.threadId, row.node, row.interruptId]).sort()).toEqual(
      [
        ["contract", "finance", finance],
        ["contract", "legal", legal],
      ].sort(),
    );

    const legalDone = await cli(
      "approve",
      "contract",
      "--interrupt",
      legal as string,
      "--as",
      "lee",
    );
    expect(legalDone.code, legalDone.stderr).toBe(3);
    const financeDone = await cli(
      "reject",
      "contract",
      ...["--interrupt", finance as string, "--as", "fin", "--comment", "too pricey"],
    );
    expect(financeDone.code, financeDone.stderr).toBe(0);

    const shown = await cli("--json", "show", "contract");
    expect(shown.code, shown.stderr).toBe(0);
    expect(json(shown.stdout)).toMatchObject({
      threadId: "contract",
      status: "done",
      // The same order as on SQLite: writes of one superstep apply in task order.
      values: { decisions: ["finance: rejected", "legal: approved", "signed"] },
    });
    const audit = await cli("--json", "audit", "contract");
    expect(json<unknown[]>(audit.stdout)).toMatchObject([
      { actor: "lee", interruptId: legal, node: "legal", value: { approved: true } },
      {
        actor: "fin",
        interruptId: finance,
        node: "finance",
        value: { approved: false, comment: "too pricey" },
      },
    ]);

    const history = await cli("--json", "history", "contract");
    expect(history.code, history.stderr).toBe(0);
    const checkpoints = json<Array<{ id: string; step: number }>>(history.stdout);
    // The input, the superstep that asked both (and took both answers), the join.
    expect(checkpoints.map((checkpoint) => checkpoint.step)).toEqual([1, 0, -1]);
    const first = checkpoints.at(-1)?.id as string;

    // A copy from the first checkpoint, in a new thread: it waits for both approvals again.
    const forked = await cli("--json", "fork", "contract", "--at", first, "--to", "contract-2");
    expect(forked.code, forked.stderr).toBe(0);
    expect(json(forked.stdout)).toMatchObject({ threadId: "contract-2", checkpointId: first });
    const copy = await cli("--json", "show", "contract-2");
    expect(json(copy.stdout)).toMatchObject({ threadId: "contract-2", values: { decisions: [] } });

    const pruned = await cli("--json", "prune", "contract", "--keep", "1", "--yes");
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(json(pruned.stdout)).toMatchObject({
      threadId: "contract",
      deleted: checkpoints.length - 1,
    });
    const after = await cli("--json", "history", "contract");
    expect(json<unknown[]>(after.stdout)).toHaveLength(1);

    // What the CLI wrote is what the library reads.
    const store = new PostgresCheckpointer(database.url);
    try {
      expect((await store.getAuditLog("contract")).map((entry) => entry.actor)).toEqual([
        "lee",
        "fin",
      ]);
      expect((await store.getThread("contract-2"))?.graph?.name).toBe("parallel-approvals");
    } finally {
      await store.close();
    }
  }, 180_000);

  // `serve --postgres` is the fleet's API server (test/worker/e2e.test.ts), no longer refused.
  it("an unreachable server and two databases at once: clear errors, no stack", async () => {
    const port = await freePort();
    const unreachable = await runCli([
      ...["--postgres", `postgres://dana:s3cret@127.0.0.1:${port}/x`, "inbox"],
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("error DATABASE_UNREACHABLE: ");
    expect(unreachable.stderr).toContain("refused");
    expect(unreachable.stderr).not.toContain("s3cret");
    expect(unreachable.stderr).not.toMatch(STACK_FRAME);

    const both = await runCli(["--postgres", database.url, "--db", "x.db", "inbox"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("error TWO_DATABASES: ");
  }, 120_000);
});
