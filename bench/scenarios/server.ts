// The server scenarios of issue 12: the same one-node graph behind Switchyard's server and
// LangGraph's in-memory Agent Server, driven by LangGraph's SDK client over loopback HTTP.
import { Client } from "@langchain/langgraph-sdk";
import type { EngineName } from "../engines/types.js";
import type { EngineFigures, Scenario, ScenarioContext } from "../scenario.js";
import { startServer, type RunningServer } from "../server/servers.js";
import { summarize } from "../stats.js";

/** One timed request sequence against a server; answers the milliseconds it measured. */
type Probe = (client: Client) => Promise<number>;

/** Create a thread, run on it with `runs.wait`, check the answer: the whole round trip. */
const createRunWait: Probe = async (client) => {
  const started = performance.now();
  const { thread_id: threadId } = await client.threads.create();
  const output = (await client.runs.wait(threadId, "bench", { input: { n: 1 } })) as { n?: number };
  const elapsed = performance.now() - started;
  if (output.n !== 2) throw new Error(`expected n = 2, got ${JSON.stringify(output)}`);
  return elapsed;
};

/** From `runs.stream` on a fresh thread to its first SSE event; the rest is read, untimed. */
const firstEvent: Probe = async (client) => {
  const { thread_id: threadId } = await client.threads.create();
  const started = performance.now();
  const stream = client.runs.stream(threadId, "bench", { input: { n: 1 }, streamMode: ["values"] });
  let elapsed: number | undefined;
  let last: unknown;
  for await (const part of stream) {
    elapsed ??= performance.now() - started;
    if (part.event === "values") last = part.data;
  }
  if ((last as { n?: number } | undefined)?.n !== 2)
    throw new Error("the stream ended without n = 2");
  return elapsed ?? Number.NaN;
};

function serverScenario(id: string, title: string, probe: Probe): Scenario {
  return {
    id,
    title,
    async run({ quick, workDir }: ScenarioContext) {
      const engines: EngineName[] = ["switchyard", "langgraph"];
      const servers = new Map<EngineName, RunningServer>();
      try {
        for (const engine of engines) servers.set(engine, await startServer(engine, workDir));
        const clients = new Map(
          engines.map((engine) => [
            engine,
            new Client({ apiUrl: servers.get(engine)?.url, callerOptions: { maxRetries: 0 } }),
          ]),
        );
        const samples = new Map<EngineName, number[]>(engines.map((engine) => [engine, []]));
        const rounds = quick ? 2 : 6;
        const perRound = quick ? 3 : 10;
        for (let round = 0; round < rounds; round += 1) {
          // Alternate which server goes first; the first probes of a round are warm-up.
          const order = round % 2 === 0 ? engines : [...engines].reverse();
          for (const engine of order) {
            const client = clients.get(engine) as Client;
            await probe(client);
            for (let index = 0; index < perRound; index += 1) {
              samples.get(engine)?.push(await probe(client));
            }
          }
        }
        const figures = (engine: EngineName): EngineFigures => ({
          time: summarize(samples.get(engine) ?? []),
        });
        const result = { switchyard: figures("switchyard"), langgraph: figures("langgraph") };
        return {
          id,
          title,
          engines: result,
          ratio: result.langgraph.time.median / result.switchyard.time.median,
          checks: [],
        };
      } finally {
        for (const server of servers.values()) await server.close();
      }
    },
  };
}

export const serverCreateRunWait = serverScenario(
  "S7",
  "server: create a thread, run it, wait for the output (SDK over HTTP; Switchyard on SQLite, LangGraph's in-memory server)",
  createRunWait,
);

export const serverFirstEvent = serverScenario(
  "S8",
  "server: SSE first-event latency of runs.stream on a fresh thread",
  firstEvent,
);
