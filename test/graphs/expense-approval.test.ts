import { describe, expect, it } from "vitest";
import { Command, InvalidUpdateError, MemoryCheckpointer } from "../../src/index.js";
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
  return buildGraph().compile({ checkpointer: new MemoryCheckpointer() });
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

  it("pauses a large claim for the manager; a rejection ends it with the comment", async () => {
    const graph = compiled();
    const config = { configurable: { thread_id: "large", actor: "dana" } };
    const paused = await graph.invoke(
      { claim: { ...claim, amount: 1500, category: "travel" } },
      config,
    );
    expect(paused).toMatchObject({ status: "needs_approval" });
    expect(paused.__interrupt__).toHaveLength(1);
    expect((await graph.getState(config)).next).toEqual(["manager_approval"]);

    const done = await graph.invoke(
      new Command({ resume: { approved: false, comment: "book economy" } }),
      config,
    );
    expect(done.status).toBe("rejected");
    expect(done.reason).toBe("book economy");
    expect(done.log.at(-1)).toContain("was rejected: book economy");
    const audit = await graph.getAuditLog("large");
    expect(audit).toMatchObject([{ actor: "dana", kind: "resume", node: "manager_approval" }]);
  });

  it("refuses an answer that is not an approval, and the claim stays paused", async () => {
    const graph = compiled();
    const config = { configurable: { thread_id: "typed" } };
    await graph.invoke({ claim: { ...claim, amount: 1500, category: "travel" } }, config);
    await expect(graph.invoke(new Command({ resume: "yes" }), config)).rejects.toMatchObject({
      code: "INVALID_RESUME",
    });
    expect((await graph.getState(config)).next).toEqual(["manager_approval"]);
    const done = await graph.invoke(new Command({ resume: { approved: true } }), config);
    expect(done.status).toBe("paid");
  });

  it("calls the payment provider once per paid claim, never for a rejected one", async () => {
    const paid: string[] = [];
    const graph = buildGraph((toPay) => {
      paid.push(toPay.id);
      return `ref-${toPay.id}`;
    }).compile({ checkpointer: new MemoryCheckpointer() });
    const large = { ...claim, id: "L", amount: 1500, category: "travel" as const };
    await graph.invoke({ claim: large }, { configurable: { thread_id: "l" } });
    expect(paid).toEqual([]);
    const done = await graph.invoke(new Command({ resume: { approved: true } }), {
      configurable: { thread_id: "l" },
    });
    expect(done.paymentId).toBe("ref-L");
    await graph.invoke(
      { claim: { ...claim, id: "R", amount: 900 } },
      { configurable: { thread_id: "r" } },
    );
    expect(paid).toEqual(["L"]);
  });

  it("refuses an invalid claim before anything runs", async () => {
    const graph = compiled();
    const config = { configurable: { thread_id: "invalid" } };
    await expect(graph.invoke({ claim: { ...claim, amount: -5 } }, config)).rejects.toThrow(
      InvalidUpdateError,
    );
    expect((await graph.getState(config)).values).toEqual({});
  });
});
