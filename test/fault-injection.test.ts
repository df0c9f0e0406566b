// Randomized faults without a crash (issue 10): runs whose attempts are abandoned at random moments
// — timeouts, retries, cancellations the nodes ignore, siblings failing — and then continued until
// done. Every ctx.step effect must have happened exactly once. Seeded: the seed is printed, and
// FAULT_SEED=<seed> replays a run set.
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  MemoryCheckpointer,
  SqliteCheckpointer,
  START,
  StateGraph,
  type Checkpointer,
  type NodeContext,
  type NodeOptions,
} from "../src/index.js";
import { sleep } from "./support.js";

const RUNS = 240;
const AT_ONCE = 12;
const SEED = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: a small seeded generator, so a failing run set can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const State = z.object({ log: append(z.string()) });

/** What one node does: wait, then one or two durable steps that take time, then maybe wait again. */
interface NodePlan {
  readonly name: string;
  readonly before: number;
  readonly steps: readonly number[];
  readonly after: number;
  readonly timeoutMs: number | undefined;
  readonly maxAttempts: number;
}

interface RunPlan {
  readonly nodes: readonly NodePlan[];
  /** A sibling that fails after this many ms in faulty calls (undefined: none). */
  readonly failAfter: number | undefined;
  /** The caller cancels a faulty call after this many ms (undefined: it does not). */
  readonly cancelAfter: number | undefined;
  readonly faultyCalls: number;
  readonly sqlite: boolean;
}

function planRun(next: () => number): RunPlan {
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const nodes = Array.from({ length: int(1, 3) }, (_, index): NodePlan => {
    const timed = next() < 0.6;
    return {
      name: `n${index}`,
      before: int(0, 15),
      steps: Array.from({ length: int(1, 2) }, () => int(0, 30)),
      after: int(0, 10),
      timeoutMs: timed ? int(3, 35) : undefined,
      maxAttempts: int(1, 3),
    };
  });
  return {
    nodes,
    failAfter: next() < 0.35 ? int(0, 30) : undefined,
    cancelAfter: next() < 0.35 ? int(0, 40) : undefined,
    faultyCalls: int(1, 3),
    sqlite: next() < 0.25,
  };
}

/** Counts each effect by thread, node and step: what a payment provider would have charged. */
class Effects {
  readonly counts = new Map<string, number>();
  hit(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/**
 * The run's graph. Faulty: nodes with their timeouts and retries, and the failing sibling.
 * Fixed: the same structure (so the same version) without them, as after the user fixed the cause.
 */
function build(
  plan: RunPlan,
  runId: number,
  effects: Effects,
  faulty: boolean,
  store: Checkpointer,
) {
  const graph = new StateGraph(State);
  for (const node of plan.nodes) {
    const options: NodeOptions =
      faulty && node.timeoutMs !== undefined
        ? {
            timeoutMs: node.timeoutMs,
            retryPolicy: { maxAttempts: node.maxAttempts, initialInterval: 1, jitter: false },
          }
        : {};
    // Nodes ignore ctx.signal on purpose: the worst case for an engine that stops waiting.
    const run = async (_: unknown, ctx: NodeContext) => {
      await sleep(node.before);
      for (const [index, ms] of node.steps.entries()) {
        await ctx.step(`s${index}`, async () => {
          effects.hit(`${runId}/${node.name}/s${index}`);
          await sleep(ms);
          return `${node.name}.s${index}`;
        });
      }
      await sleep(node.after);
      return { log: node.name };
    };
    graph.addNode(node.name, run, options);
    graph.addEdge(START, node.name);
  }
  graph.addNode("sibling", async () => {
    if (faulty && plan.failAfter !== undefined) {
      await sleep(plan.failAfter);
      throw new Error("sibling failed");
    }
    return { log: "sibling" };
  });
  graph.addEdge(START, "sibling");
  return graph.compile({ checkpointer: store, name: "faults" });
}

const opened: SqliteCheckpointer[] = [];
afterAll(() => {
  for (const store of opened) store.close();
});

const EXPECTED_FAILURES = new Set(["NODE_TIMEOUT", "NODE_FAILED", "CANCELLED"]);

/** The input for a thread that has none yet (a cancellation may come before it is stored). */
async function inputFor(
  graph: ReturnType<typeof build>,
  config: { configurable: { thread_id: string } },
): Promise<{ log: string } | null> {
  return (await graph.getState(config)).createdAt === undefined ? { log: "in" } : null;
}

async function runOnce(runId: number): Promise<{ faults: string[] }> {
  const plan = planRun(random(SEED + runId));
  const effects = new Effects();
  let store: Checkpointer = new MemoryCheckpointer();
  if (plan.sqlite) {
    const sqlite = new SqliteCheckpointer(":memory:");
    opened.push(sqlite);
    store = sqlite;
  }
  const config = { configurable: { thread_id: `run-${runId}` } };
  const faulty = build(plan, runId, effects, true, store);
  const faults: string[] = [];
  for (let call = 0; call < plan.faultyCalls; call += 1) {
    const controller = new AbortController();
    const timer =
      plan.cancelAfter === undefined
        ? undefined
        : setTimeout(() => controller.abort(), plan.cancelAfter);
    try {
      await faulty.invoke(await inputFor(faulty, config), { ...config, signal: controller.signal });
      faults.push("ok");
    } catch (error) {
      const code = (error as { code?: string }).code ?? String(error);
      if (!EXPECTED_FAILURES.has(code)) throw error;
      faults.push(code);
    } finally {
      clearTimeout(timer);
    }
    if (faults.at(-1) === "ok") break;
  }
  const fixed = build(plan, runId, effects, false, store);
  const state = await fixed.getState(config);
  if (state.createdAt === undefined || state.next.length > 0) {
    await fixed.invoke(await inputFor(fixed, config), config);
  }
  const done = await fixed.getState(config);
  const why = `seed ${SEED}, run ${runId}: ${JSON.stringify({ plan, faults })}`;
  expect(done.next, why).toEqual([]);
  expect([...done.values.log].sort(), why).toEqual(
    ["in", "sibling", ...plan.nodes.map((node) => node.name)].sort(),
  );
  // Every effect exactly once, however the attempts that ran it were abandoned.
  const expected = new Map<string, number>();
  for (const node of plan.nodes) {
    node.steps.forEach((_, index) => expected.set(`${runId}/${node.name}/s${index}`, 1));
  }
  expect(effects.counts, why).toEqual(expected);
  return { faults };
}

describe("randomized abandoned attempts", () => {
  it(`every ctx.step effect happens exactly once across ${RUNS} runs (seed ${SEED})`, async () => {
    console.log(`fault-injection seed: ${SEED} (replay with FAULT_SEED=${SEED})`);
    const seen = new Map<string, number>();
    for (let first = 0; first < RUNS; first += AT_ONCE) {
      const batch = Array.from({ length: Math.min(AT_ONCE, RUNS - first) }, (_, i) => first + i);
      for (const { faults } of await Promise.all(batch.map(runOnce))) {
        for (const fault of faults) seen.set(fault, (seen.get(fault) ?? 0) + 1);
      }
    }
    console.log(
      `fault-injection outcomes of faulty calls: ${JSON.stringify(Object.fromEntries(seen))}`,
    );
    // The faults happened: the test would prove nothing if every call had simply succeeded.
    for (const code of EXPECTED_FAILURES) expect(seen.get(code) ?? 0, code).toBeGreaterThan(5);
  }, 120_000);
});
