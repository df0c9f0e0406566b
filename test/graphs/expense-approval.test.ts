import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidUpdateError, MemoryCheckpointer, SqliteCheckpointer } from "../../src/index.js";
import { collect } from "../support.js";
import { buildGraph } from "../../graphs/expense-approval.js";

const claim = {
  id: "C-9",
  employee: "ana",
  amount: 120,
  currency: "EUR",
  category: "meals",
  description: "lunch",
} as const;

function compiled() {
  return buildGraph().compile({
    checkpointer: new MemoryCheckpointer(),
    interruptBefore: ["manager_approval"],
  });
}

describe("graphs/expense-approval", () => {
  it("pays a small claim without approval", async () => {
    const graph = compiled();
    const result = await graph.invoke({ claim }, { configurable: { thread_id: "small" } });
    expect(result.status).toBe("paid");
    expect(result.paymentId).toBe("pay-C-9");
    expect(result.log).toHaveLength(3);
  });

  it("rejects a claim over the category limit with the reason", async () => {
    const graph = compiled();
    const result = await graph.invoke(
      { claim: { ...claim, amount: 900 } },
      { configurable: { thread_id: "over" } },
    );
    expect(result.status).toBe("rejected");
    expect(result.reason).toBe("meals claims are limited to 200 EUR");
    expect(result.paymentId).toBeUndefined();
  });

  it("pauses a large claim for the manager, then a rejection ends it with the comment", async () => {
    const graph = compiled();
    const config = { configurable: { thread_id: "large" } };
    const paused = await graph.invoke(
      { claim: { ...claim, amount: 1500, category: "travel" } },
      config,
    );
    expect(paused).toMatchObject({ status: "needs_approval", __interrupt__: [] });
    expect((await graph.getState(config)).next).toEqual(["manager_approval"]);

    await graph.updateState(config, {
      decision: { approved: false, by: "dana", comment: "book economy" },
    });
    const done = await graph.invoke(null, config);
    expect(done.status).toBe("rejected");
    expect(done.reason).toBe("book economy");
    expect(done.log.at(-1)).toContain("was rejected: book economy");
  });

  it("refuses an invalid claim before anything runs", async () => {
    const graph = compiled();
    const config = { configurable: { thread_id: "invalid" } };
    await expect(graph.invoke({ claim: { ...claim, amount: -5 } }, config)).rejects.toThrow(
      InvalidUpdateError,
    );
    expect((await graph.getState(config)).values).toEqual({});
  });

  it("runs as the README's main job, checkpointing to SQLite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-main-"));
    const db = join(dir, "main.db");
    try {
      const { stdout } = await promisify(execFile)("npx", ["tsx", "scripts/main-job.ts"], {
        cwd: new URL("../..", import.meta.url),
        env: { ...process.env, SWITCHYARD_DB: db },
      });
      expect(stdout).toContain("paused before manager_approval");
      expect(stdout.match(/final status: paid/g)).toHaveLength(2);
      const store = new SqliteCheckpointer(db);
      const threads = await collect(store.listThreads());
      store.close();
      expect(threads.map((thread) => thread.threadId.replace(/-\d+$/, "")).sort()).toEqual([
        "claim-1",
        "claim-2",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
