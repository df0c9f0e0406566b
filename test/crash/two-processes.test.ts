// One active run per thread, across processes (issue 3): two processes resuming the same thread
// at once, and a lease left behind by a killed process. The child is slow-graph.ts, paused before
// its one-second `slow` node.
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  describeExit,
  outcome,
  readLog,
  sleep,
  startChild,
  stopChildren,
  tempDir,
  waitFor,
  type ChildResult,
} from "./spawn.js";

const SLOW_GRAPH = "test/crash/slow-graph.ts";
const THREAD = "shared";
const FINISHED = { tasks: ["input", "prep", "slow"] };

describe("two processes on one thread", () => {
  let dir: ReturnType<typeof tempDir>;
  let db: string;
  let log: string;

  beforeEach(async () => {
    dir = tempDir("switchyard-two-processes-");
    db = join(dir.path, "threads.db");
    log = join(dir.path, "side-effects.log");
    const prepared = await startChild(SLOW_GRAPH, [db, log, THREAD, "prepare"]).exited;
    expect(prepared.code, describeExit(prepared)).toBe(0);
    expect(outcome(prepared).state).toEqual({ tasks: ["input", "prep"], __interrupt__: [] });
  }, 30_000);

  afterEach(async () => {
    await stopChildren();
    dir.remove();
  });

  const slowStarts = () =>
    readLog(log).filter((entry) => entry.kind === "start" && entry.key === "slow").length;

  const resume = (options: { leaseMs?: number; waitForGo?: boolean } = {}) =>
    startChild(
      SLOW_GRAPH,
      [db, log, THREAD, "resume", ...(options.leaseMs === undefined ? [] : [options.leaseMs])],
      { waitForGo: options.waitForGo },
    );

  it("two resumes at once: exactly one runs the node, the other gets THREAD_BUSY", async () => {
    const children = [resume({ waitForGo: true }), resume({ waitForGo: true })];
    expect(await Promise.all(children.map((child) => child.ready))).toEqual([true, true]);
    for (const child of children) child.go();
    const results = await Promise.all(children.map((child) => child.exited));
    const described = results.map(describeExit).join("\n");

    const winners = results.filter((result) => result.code === 0);
    const losers = results.filter((result) => result.code === 2);
    expect(winners, described).toHaveLength(1);
    expect(losers, described).toHaveLength(1);
    expect(outcome(winners[0] as ChildResult).state).toEqual(FINISHED);
    expect(outcome(losers[0] as ChildResult).code).toBe("THREAD_BUSY");
    expect(slowStarts()).toBe(1);
  }, 60_000);

  it("a killed process's lease blocks the thread until it expires, then a resume completes", async () => {
    const leaseMs = 500;
    const killed = resume({ leaseMs });
    // Started now and held at its `ready`, so it asks for the thread right after the kill.
    const immediate = resume({ leaseMs, waitForGo: true });
    expect(await immediate.ready).toBe(true);
    await waitFor(() => slowStarts() === 1, 20_000, "the first process to start the slow node");
    killed.kill();
    immediate.go();

    const busy = await immediate.exited;
    expect(busy.code, describeExit(busy)).toBe(2);
    expect(outcome(busy).code).toBe("THREAD_BUSY");
    expect((await killed.exited).signal).toBe("SIGKILL");

    // The killed process renewed its lease at most leaseMs before it died.
    await sleep(leaseMs + 100);
    const later = await resume({ leaseMs }).exited;
    expect(later.code, describeExit(later)).toBe(0);
    expect(outcome(later).state).toEqual(FINISHED);
    // The killed run's `slow` never completed, so it ran once more.
    expect(slowStarts()).toBe(2);
  }, 60_000);
});
