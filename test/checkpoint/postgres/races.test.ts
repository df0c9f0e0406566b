// One run per thread across processes, for real: separate pools and separate processes race for
// the same threads on one Postgres. Exactly one wins each thread; a lease left to expire is taken
// over by exactly one; no answer's audit entry is lost or doubled.
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { Command, PostgresCheckpointer } from "../../../src/index.js";
import { sleep } from "../../support.js";
import { describeExit, outcome, startChild, stopChildren } from "../../crash/spawn.js";
import { createTestDatabase, type TestDatabase } from "../../support/postgres.js";
import { checkpointRecord, logWrite, rejection } from "../graphs.js";
import { approvalGraph, threadIds } from "./approval-graph.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("races");
}, 60_000);
afterAll(async () => database.drop(), 60_000);
afterEach(stopChildren);

/** `count` stores on separate pools, as separate machines would have. */
function stores(schema: string, count: number, leaseMs?: number): PostgresCheckpointer[] {
  return Array.from(
    { length: count },
    () => new PostgresCheckpointer(database.url, { schema, leaseMs, max: 2 }),
  );
}

/** Which of `attempts` won, and that every other one was refused with THREAD_BUSY. */
async function winnersOf(attempts: ReadonlyArray<Promise<void>>): Promise<number[]> {
  const settled = await Promise.allSettled(attempts);
  for (const result of settled) {
    if (result.status === "rejected") expect(result.reason).toMatchObject({ code: "THREAD_BUSY" });
  }
  return settled.flatMap((result, index) => (result.status === "fulfilled" ? [index] : []));
}

it("eight pools racing for the same thread's lease: exactly one wins, every round", async () => {
  const racers = stores("pools", 8);
  try {
    // Creates the schema once before the race, so the race is about the lease alone.
    await racers[0]!.getThread("warm-up");
    for (let round = 0; round < 25; round += 1) {
      const thread = `t-${round}`;
      const winners = await winnersOf(
        racers.map((store, index) => store.acquireLease(thread, `owner-${index}`)),
      );
      expect(winners).toHaveLength(1);
      // The winner alone can write; a loser's write is refused.
      const winner = winners[0]!;
      const loser = (winner + 1) % racers.length;
      await racers[winner]!.commit(thread, checkpointRecord("cp-1", undefined), logWrite("cp-1"), {
        lease: `owner-${winner}`,
      });
      const foreign = () =>
        racers[loser]!.commit(thread, checkpointRecord("cp-2", "cp-1"), logWrite("cp-2"), {
          lease: `owner-${loser}`,
        });
      expect(await rejection(foreign)).toMatchObject({ code: "LEASE_LOST" });
    }
  } finally {
    await Promise.all(racers.map((store) => store.close()));
  }
}, 120_000);

it("an expired lease is taken over by exactly one of eight pools; the old owner is fenced off", async () => {
  const racers = stores("expiry", 8, 300);
  const stalled = new PostgresCheckpointer(database.url, { schema: "expiry", leaseMs: 300 });
  try {
    for (let round = 0; round < 5; round += 1) {
      const thread = `t-${round}`;
      await stalled.acquireLease(thread, "stalled");
      await stalled.commit(thread, checkpointRecord("cp-1", undefined), logWrite("cp-1"), {
        lease: "stalled",
      });
      // Still held: nobody takes it.
      expect(
        await winnersOf(racers.map((store, index) => store.acquireLease(thread, `r-${index}`))),
      ).toEqual([]);
      // The stalled owner renews no more; once the lease expired, exactly one racer takes over.
      await sleep(400);
      const winners = await winnersOf(
        racers.map((store, index) => store.acquireLease(thread, `r-${index}`)),
      );
      expect(winners).toHaveLength(1);
      expect(await stalled.renewLease(thread, "stalled")).toBe(false);
      const late = () =>
        stalled.commit(thread, checkpointRecord("cp-2", "cp-1"), logWrite("cp-2"), {
          lease: "stalled",
        });
      expect(await rejection(late)).toMatchObject({ code: "LEASE_LOST" });
      expect((await stalled.getTuple(thread))?.checkpoint.id).toBe("cp-1");
    }
  } finally {
    await Promise.all([...racers, stalled].map((store) => store.close()));
  }
}, 120_000);

it("four processes answer the same 30 approvals: one answer per thread, one booking, one audit entry", async () => {
  const schema = "processes";
  const setup = new PostgresCheckpointer(database.url, { schema });
  const graph = approvalGraph().compile({ checkpointer: setup, name: "booking" });
  const threads = threadIds(30);
  try {
    for (const threadId of threads) {
      await graph.invoke({ log: ["start"] }, { configurable: { thread_id: threadId } });
    }
    const names = ["ana", "bo", "cy", "di"];
    const children = names.map((name) =>
      startChild(
        "test/checkpoint/postgres/racer.ts",
        [database.url, schema, name, threads.length],
        {
          waitForGo: true,
        },
      ),
    );
    expect(await Promise.all(children.map((child) => child.ready))).toEqual(names.map(() => true));
    for (const child of children) child.go();
    const exits = await Promise.all(children.map((child) => child.exited));
    const results = exits.map((exit) => {
      expect(exit.code, describeExit(exit)).toBe(0);
      return outcome<Record<string, string>>(exit).state ?? {};
    });

    for (const threadId of threads) {
      const byName = names.map((name, index) => [name, results[index]?.[threadId]] as const);
      const winners = byName.filter(([, result]) => result === "won").map(([name]) => name);
      expect({ threadId, winners: winners.length }).toEqual({ threadId, winners: 1 });
      // The others were turned away: busy while the winner ran, or too late for the interrupt.
      for (const [, result] of byName) {
        expect(["won", "THREAD_BUSY", "INVALID_RESUME"]).toContain(result);
      }
      const winner = winners[0] as string;
      const state = await graph.getState({ configurable: { thread_id: threadId } });
      expect(state.values.log).toEqual(["start", `approved by ${winner}`, "booked"]);
      const audit = await setup.getAuditLog(threadId);
      expect(audit.map((entry) => [entry.actor, entry.kind, entry.value])).toEqual([
        [winner, "resume", { approved: true, comment: winner }],
      ]);
    }
    // A late answer after all this still changes nothing.
    const late = () =>
      graph.invoke(new Command({ resume: { approved: false } }), {
        configurable: { thread_id: threads[0] as string },
      });
    expect(await rejection(late)).toMatchObject({ code: "INVALID_RESUME" });
  } finally {
    await setup.close();
  }
}, 180_000);
