// A child program for crash.test.ts: runs the "durable graph" on a SQLite file, logging each
// task's start and its completion, so the test can kill it anywhere and check what ran.
//
//   node --import tsx test/crash/durable-graph.ts <dbPath> <logPath> <threadId> <start|resume> [leaseMs]
//
// `start` streams the input; `resume` streams null (or the input, when a kill landed before the
// input checkpoint was written). Each round: START (or the loop) fans out to a, b, c; a join waits
// for all three; it Sends one worker per item; the workers meet at tally, which counts the round
// and loops back until ROUNDS rounds ran. Every task appends its key to `tasks`, so the final
// state lists every task in write order, and each `updates` chunk names the task it reports.
//
// The log gets `start <key>` when a task begins and `done <key>` when its update is streamed,
// which happens only after its writes are persisted: a `done` line means completed and durable.
import { z } from "zod";
import {
  append,
  END,
  reducer,
  Send,
  SqliteCheckpointer,
  START,
  StateGraph,
  type StateOf,
} from "../../src/index.js";
import { childArgs, logLine, runChild, signalReady } from "./child.js";

const ROUNDS = 8;
const ITEMS = [0, 1, 2, 3];
const BRANCHES = ["a", "b", "c"] as const;
const INPUT = { round: 0 };

const State = z.object({
  round: z.number(),
  tasks: append(z.string()),
  total: reducer(
    z.number(),
    (current, add: number) => current + add,
    () => 0,
  ),
});
type State = StateOf<typeof State>;

interface WorkItem {
  round: number;
  item: number;
}

const args = childArgs(["start", "resume"]);

/** Logs the task's start, then waits a few random milliseconds so kills land mid-superstep. */
async function begin(key: string): Promise<void> {
  logLine(args.logPath, `start ${key}`);
  await new Promise((resolve) => setTimeout(resolve, 4 + Math.random() * 16));
}

function buildGraph() {
  const graph = new StateGraph(State);
  BRANCHES.forEach((name, index) => {
    graph.addNode(name, async (state: State) => {
      const key = `${name}@r${state.round}`;
      await begin(key);
      return { tasks: key, total: 10 ** index };
    });
    graph.addEdge(START, name);
  });
  graph
    .addNode("join", async (state: State) => {
      const key = `join@r${state.round}`;
      await begin(key);
      return { tasks: key };
    })
    .addNode<WorkItem>("worker", async ({ round, item }) => {
      const key = `worker@r${round}#${item}`;
      await begin(key);
      return { tasks: key, total: 1000 * (round + 1) * (item + 1) };
    })
    .addNode("tally", async (state: State) => {
      const key = `tally@r${state.round}`;
      await begin(key);
      return { tasks: key, round: state.round + 1 };
    })
    .addEdge([...BRANCHES], "join")
    .addConditionalEdges("join", (state) =>
      ITEMS.map((item) => new Send("worker", { round: state.round, item })),
    )
    .addEdge("worker", "tally")
    .addConditionalEdges("tally", (state) => (state.round < ROUNDS ? [...BRANCHES] : END), [
      ...BRANCHES,
      END,
    ]);
  return graph;
}

/** The task keys an `updates` chunk (`{ node: update }`) reports. */
function taskKeys(chunk: unknown): string[] {
  return Object.values(chunk as Record<string, { tasks?: string | string[] } | undefined>).flatMap(
    (update) => update?.tasks ?? [],
  );
}

await runChild(async () => {
  const checkpointer = new SqliteCheckpointer(args.dbPath, { leaseMs: args.leaseMs });
  const graph = buildGraph().compile({ checkpointer, name: "durable" });
  const config = { configurable: { thread_id: args.threadId } };
  await signalReady();
  const started = (await graph.getState(config)).createdAt !== undefined;
  const input = args.mode === "resume" && started ? null : INPUT;
  for await (const chunk of graph.stream(input, {
    ...config,
    streamMode: "updates",
    recursionLimit: 10_000,
  })) {
    for (const key of taskKeys(chunk)) logLine(args.logPath, `done ${key}`);
  }
  const { values } = await graph.getState(config);
  checkpointer.close();
  return values;
});
