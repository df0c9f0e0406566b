// `npm run bench:telemetry [-- --quick] [-- --no-sdk]`: what tracing costs on S1 (a chain of 10
// nodes, no checkpointer). "no SDK" is the shipped default (@opentelemetry/api's no-op); "SDK"
// registers a recording tracer provider with a processor that drops spans, so the figure is the
// cost of making the spans, not of exporting them. Rounds alternate the two setups.
// The no-SDK median is compared across commits by running this script at each (see
// docs/performance.md, "Telemetry overhead").
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, NoopSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { parseArgs } from "node:util";
import { Bench } from "tinybench";
import { loadEngine } from "./engines/load.js";
import { chainGraph } from "./scenarios/chain.js";
import { summarize } from "./stats.js";

const { values: options } = parseArgs({
  options: { quick: { type: "boolean", default: false }, "no-sdk": { type: "boolean" } },
});
const rounds = options.quick ? 2 : 8;
const engine = await loadEngine("switchyard");
const graph = chainGraph(engine);
const run = async (): Promise<void> => {
  const state = await graph.invoke({ count: 0 });
  if (state.count !== 10) throw new Error(`S1 returned count ${String(state.count)}`);
};

function withSdk(): () => void {
  const provider = new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return () => {
    trace.disable();
    context.disable();
  };
}

async function time(): Promise<readonly number[]> {
  const bench = new Bench({
    time: options.quick ? 0 : 500,
    iterations: 5,
    warmupTime: options.quick ? 0 : 100,
    warmupIterations: 3,
    retainSamples: true,
    throws: true,
  });
  bench.add("S1", run);
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (result?.state !== "completed" || !result.latency.samples) {
    throw new Error(`S1: tinybench did not complete (${result?.state})`);
  }
  return result.latency.samples;
}

const setups = options["no-sdk"] ? (["no SDK"] as const) : (["no SDK", "SDK"] as const);
const samples = new Map<string, number[]>(setups.map((name) => [name, []]));
for (let round = 0; round < rounds; round += 1) {
  const order = round % 2 === 0 ? setups : [...setups].reverse();
  for (const setup of order) {
    const stop = setup === "SDK" ? withSdk() : () => undefined;
    samples.get(setup)?.push(...(await time()));
    stop();
  }
}
console.log(`S1 (chain of 10, no checkpointer), ${rounds} rounds, Node ${process.version}`);
for (const [setup, values] of samples) {
  const { median, p25, p75, samples: count } = summarize(values);
  const ms = (value: number) => value.toFixed(4);
  console.log(`${setup}: median ${ms(median)} ms (IQR ${ms(p25)}–${ms(p75)}), ${count} runs`);
}
