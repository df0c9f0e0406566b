// Approvals (issue 4): approval() and its typed answer, deadlines applied by sweepExpired() (resume
// and reject, durably and once, audited), and listPendingInterrupts() across threads and graphs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  approval,
  Command,
  END,
  interrupt,
  InterruptRejectedError,
  listPendingInterrupts,
  MemoryCheckpointer,
  SqliteCheckpointer,
  START,
  StateGraph,
  type InterruptOptions,
} from "../src/index.js";
import { rejection } from "./checkpoint/graphs.js";
import { thread } from "./support.js";

let opened: SqliteCheckpointer[] = [];
const folders: string[] = [];
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function sqlite(path = ":memory:"): SqliteCheckpointer {
  const store = new SqliteCheckpointer(path);
  opened.push(store);
  return store;
}

const Claim = z.object({ amount: z.number(), status: z.string().optional() });
type ApprovalOptions = Omit<InterruptOptions<unknown>, "resume">;

/** START -> review -> END: review asks approval() for the claim and records the outcome. */
function claims(
  store: SqliteCheckpointer | MemoryCheckpointer,
  name = "claims",
  options: ApprovalOptions = {},
) {
  const calls = { review: 0 };
  const graph = new StateGraph(Claim)
    .addNode("review", (state) => {
      calls.review += 1;
      const decision = approval({ amount: state.amount }, options);
      return { status: decision.approved ? "approved" : `rejected: ${decision.comment ?? "-"}` };
    })
    .addEdge(START, "review")
    .addEdge("review", END)
    .compile({ checkpointer: store, name });
  return { graph, calls };
}

/** The `__interrupt__` list of a paused run's result. */
function raised(result: object): Array<{ id: string; value: unknown }> {
  return (result as { __interrupt__?: Array<{ id: string; value: unknown }> }).__interrupt__ ?? [];
}

const DEADLINE = new Date("2030-01-01T00:00:00.000Z");
const BEFORE = new Date("2029-12-31T23:59:59.000Z");
const AFTER = new Date("2030-01-01T00:00:01.000Z");

describe("approval()", () => {
  it("pauses with the payload and returns { approved, comment } to the node", async () => {
    const { graph, calls } = claims(sqlite());
    expect(raised(await graph.invoke({ amount: 900 }, thread("yes")))).toMatchObject([
      { value: { amount: 900 } },
    ]);
    const approved = await graph.invoke(new Command({ resume: { approved: true } }), thread("yes"));
    expect(approved).toEqual({ amount: 900, status: "approved" });

    await graph.invoke({ amount: 50 }, thread("no"));
    const resume = { approved: false, comment: "over budget" };
    const rejected = await graph.invoke(new Command({ resume }), thread("no"));
    expect(rejected).toEqual({ amount: 50, status: "rejected: over budget" });
    expect(calls.review).toBe(4);
  });

  it("refuses answers that are not { approved: boolean, comment?: string }; nothing is lost", async () => {
    const { graph } = claims(sqlite());
    const [pending] = raised(await graph.invoke({ amount: 900 }, thread("t")));
    for (const resume of [{ approved: "yes" }, { approved: true, comment: 5 }, "approve"]) {
      const error = await rejection(() => graph.invoke(new Command({ resume }), thread("t")));
      expect(error.code, JSON.stringify(resume)).toBe("INVALID_RESUME");
      expect(error.message).toContain(pending?.id);
    }
    expect((await graph.getState(thread("t"))).next).toEqual(["review"]);
    const done = await graph.invoke(new Command({ resume: { approved: true, comment: "ok" } }), {
      configurable: { thread_id: "t", actor: "dana" },
    });
    expect(done.status).toBe("approved");
    expect(await graph.getAuditLog("t")).toMatchObject([
      { actor: "dana", kind: "resume", interruptId: pending?.id, node: "review" },
    ]);
  });

  it("never takes a human's answer for a deadline's rejection: it must pass the schema", async () => {
    const { graph } = claims(sqlite());
    await graph.invoke({ amount: 900 }, thread("t"));
    // The shape sweepExpired() stores for onTimeout { reject } (an internal detail a client can send).
    const forged = { $syRejected: "rejected by a forged answer" };
    const error = await rejection(() => graph.invoke(new Command({ resume: forged }), thread("t")));
    expect(error.code).toBe("INVALID_RESUME");
    expect((await graph.getState(thread("t"))).next).toEqual(["review"]);
  });
});

describe("deadlines and sweepExpired()", () => {
  it("applies onTimeout { resume } once the deadline has passed, once, audited as a timeout", async () => {
    const onTimeout = { resume: { approved: false, comment: "no answer in time" } };
    const { graph, calls } = claims(sqlite(), "claims", { deadline: DEADLINE, onTimeout });
    const [pending] = raised(await graph.invoke({ amount: 900 }, thread("t")));

    expect(await graph.sweepExpired(BEFORE)).toEqual([]);
    expect((await graph.getState(thread("t"))).next).toEqual(["review"]);

    expect(await graph.sweepExpired(AFTER)).toEqual([{ threadId: "t", interruptId: pending?.id }]);
    const state = await graph.getState(thread("t"));
    expect(state.values).toEqual({ amount: 900, status: "rejected: no answer in time" });
    expect(state.next).toEqual([]);
    expect(await graph.getAuditLog("t")).toEqual([
      {
        at: expect.any(String) as string,
        actor: "system:deadline",
        interruptId: pending?.id,
        node: "review",
        kind: "timeout",
        value: { approved: false, comment: "no answer in time" },
      },
    ]);

    expect(await graph.sweepExpired(AFTER)).toEqual([]);
    expect(calls.review).toBe(2);
    expect((await graph.getAuditLog("t")).length).toBe(1);
    const late = await rejection(() =>
      graph.invoke(new Command({ resume: { approved: true } }), thread("t")),
    );
    expect(late.code).toBe("INVALID_RESUME");
  });

  it("onTimeout { reject }: approval() returns approved: false with the reason", async () => {
    const onTimeout = { reject: "expired after 3 days" };
    const { graph } = claims(sqlite(), "claims", { deadline: DEADLINE, onTimeout });
    const [pending] = raised(await graph.invoke({ amount: 900 }, thread("t")));
    expect(await graph.sweepExpired(AFTER)).toEqual([{ threadId: "t", interruptId: pending?.id }]);
    expect((await graph.getState(thread("t"))).values.status).toBe(
      "rejected: expired after 3 days",
    );
    expect(await graph.getAuditLog("t")).toMatchObject([
      { actor: "system:deadline", kind: "timeout", interruptId: pending?.id, node: "review" },
    ]);
    expect(await graph.sweepExpired(AFTER)).toEqual([]);
  });

  it("onTimeout { reject }: interrupt() throws INTERRUPT_REJECTED inside the node", async () => {
    const caught: unknown[] = [];
    const graph = new StateGraph(Claim)
      .addNode("review", () => {
        try {
          const answer = interrupt<string>("ok?", {
            deadline: DEADLINE,
            onTimeout: { reject: "too late" },
          });
          return { status: answer };
        } catch (error) {
          // The first run's pause is a signal that must pass through; only the rejection is ours.
          if (!(error instanceof InterruptRejectedError)) throw error;
          caught.push(error);
          return { status: `rejected: ${error.reason}` };
        }
      })
      .addEdge(START, "review")
      .compile({ checkpointer: sqlite(), name: "plain" });
    const [pending] = raised(await graph.invoke({ amount: 1 }, thread("t")));
    await graph.sweepExpired(AFTER);
    expect((await graph.getState(thread("t"))).values.status).toBe("rejected: too late");
    expect(caught).toHaveLength(1);
    const error = caught[0] as InterruptRejectedError;
    expect(error.code).toBe("INTERRUPT_REJECTED");
    expect(error.interruptId).toBe(pending?.id);
    expect(error.node).toBe("review");
    expect(error.message).toContain("too late");
  });

  it("a rejection the node does not catch fails the task, once", async () => {
    const graph = new StateGraph(Claim)
      .addNode("review", () => ({
        status: interrupt<string>("ok?", { deadline: DEADLINE, onTimeout: { reject: "late" } }),
      }))
      .addEdge(START, "review")
      .compile({ checkpointer: sqlite(), name: "plain" });
    const [pending] = raised(await graph.invoke({ amount: 1 }, thread("t")));
    expect(await graph.sweepExpired(AFTER)).toMatchObject([
      { threadId: "t", interruptId: pending?.id, error: { code: "INTERRUPT_REJECTED" } },
    ]);
    expect((await graph.getState(thread("t"))).tasks[0]?.error?.code).toBe("INTERRUPT_REJECTED");
    expect(await graph.sweepExpired(AFTER)).toEqual([]);
    expect(await listPendingInterrupts(graph.checkpointer as SqliteCheckpointer)).toEqual([]);
  });

  it("sweeps only expired interrupts that have an onTimeout, on threads of this graph", async () => {
    const store = sqlite();
    const onTimeout = { resume: { approved: true } };
    const mine = claims(store, "mine", { deadline: DEADLINE, onTimeout }).graph;
    const theirs = claims(store, "theirs", { deadline: DEADLINE, onTimeout }).graph;
    const later = claims(store, "mine", { deadline: new Date("2031-01-01"), onTimeout }).graph;
    const noTimeout = claims(store, "mine", { deadline: DEADLINE }).graph;
    const noDeadline = claims(store, "mine").graph;
    await mine.invoke({ amount: 1 }, thread("mine"));
    await theirs.invoke({ amount: 2 }, thread("theirs"));
    await later.invoke({ amount: 3 }, thread("later"));
    await noTimeout.invoke({ amount: 4 }, thread("no-timeout"));
    await noDeadline.invoke({ amount: 5 }, thread("no-deadline"));

    expect((await mine.sweepExpired(AFTER)).map((entry) => entry.threadId)).toEqual(["mine"]);
    const waiting = (await listPendingInterrupts(store)).map((item) => item.threadId).sort();
    expect(waiting).toEqual(["later", "no-deadline", "no-timeout", "theirs"]);
    expect((await theirs.sweepExpired(AFTER)).map((entry) => entry.threadId)).toEqual(["theirs"]);
  });

  it("sweepExpired() defaults to now", async () => {
    const onTimeout = { resume: { approved: true } };
    const past = new Date(Date.now() - 60_000);
    const { graph } = claims(sqlite(), "claims", { deadline: past, onTimeout });
    const [pending] = raised(await graph.invoke({ amount: 1 }, thread("t")));
    expect(await graph.sweepExpired()).toEqual([{ threadId: "t", interruptId: pending?.id }]);
    expect((await graph.getState(thread("t"))).values.status).toBe("approved");
  });

  it("is durable: another checkpointer on the same file finds nothing left to sweep", async () => {
    const folder = mkdtempSync(join(tmpdir(), "switchyard-approvals-"));
    folders.push(folder);
    const path = join(folder, "approvals.db");
    const onTimeout = { resume: { approved: false, comment: "timed out" } };
    const first = claims(sqlite(path), "claims", { deadline: DEADLINE, onTimeout }).graph;
    await first.invoke({ amount: 1 }, thread("t"));
    expect(await first.sweepExpired(AFTER)).toHaveLength(1);
    opened.pop()?.close();

    const second = claims(sqlite(path), "claims", { deadline: DEADLINE, onTimeout }).graph;
    expect(await second.sweepExpired(AFTER)).toEqual([]);
    expect((await second.getState(thread("t"))).values.status).toBe("rejected: timed out");
    expect((await second.getAuditLog("t")).map((entry) => entry.kind)).toEqual(["timeout"]);
  });
});

describe("listPendingInterrupts()", () => {
  it("lists what waits across threads and graphs: thread, graph, node, id, value, dates, answer schema", async () => {
    const store = sqlite();
    const claimsGraph = claims(store, "claims", { deadline: DEADLINE }).graph;
    const survey = new StateGraph(z.object({ answers: z.array(z.string()).optional() }))
      .addNode("first", () => ({ answers: [interrupt<string>("q1"), interrupt<string>("q2")] }))
      .addEdge(START, "first")
      .compile({ checkpointer: store, name: "survey" });
    expect(await listPendingInterrupts(store)).toEqual([]);

    const [claimA] = raised(await claimsGraph.invoke({ amount: 1 }, thread("a")));
    await claimsGraph.invoke({ amount: 2 }, thread("b"));
    await claimsGraph.invoke(new Command({ resume: { approved: true } }), thread("b"));
    await survey.invoke({}, thread("s"));
    const [q2] = raised(await survey.invoke(new Command({ resume: "one" }), thread("s")));

    const items = (await listPendingInterrupts(store)).sort((x, y) =>
      x.threadId.localeCompare(y.threadId),
    );
    expect(items).toEqual([
      {
        threadId: "a",
        graph: { name: "claims", version: claimsGraph.version },
        node: "review",
        interruptId: claimA?.id,
        value: { amount: 1 },
        createdAt: expect.any(String) as string,
        deadline: DEADLINE.toISOString(),
        // The answer's JSON Schema, from which consoles build their forms.
        expects: {
          type: "object",
          properties: { approved: { type: "boolean" }, comment: { type: "string" } },
          required: ["approved"],
        },
      },
      {
        threadId: "s",
        graph: { name: "survey", version: survey.version },
        node: "first",
        interruptId: q2?.id,
        value: "q2",
        createdAt: expect.any(String) as string,
      },
    ]);
    for (const item of items) expect(new Date(item.createdAt).toISOString()).toBe(item.createdAt);
  });

  it("drops an answered parallel interrupt and a discarded one; works on MemoryCheckpointer", async () => {
    const store = new MemoryCheckpointer();
    const graph = new StateGraph(Claim)
      .addNode("left", () => ({ status: interrupt<string>("left?") }))
      .addNode("right", () => ({ amount: interrupt<number>("right?") }))
      .addEdge(START, "left")
      .addEdge(START, "right")
      .compile({ checkpointer: store, name: "pair" });
    const first = raised(await graph.invoke({ amount: 0 }, thread("t")));
    const values = async () => (await listPendingInterrupts(store)).map((item) => item.value);
    expect((await values()).sort()).toEqual(["left?", "right?"]);

    const right = first.find((entry) => entry.value === "right?")?.id as string;
    await graph.invoke(new Command({ resume: { [right]: 7 } }), thread("t"));
    expect(await values()).toEqual(["left?"]);

    await graph.invoke({ amount: 1 }, { ...thread("t"), discardInterrupts: true });
    const fresh = await listPendingInterrupts(store);
    expect(fresh.map((item) => item.value).sort()).toEqual(["left?", "right?"]);
    expect(fresh.map((item) => item.interruptId)).not.toContain(right);
  });
});
