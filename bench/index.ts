// `npm run bench [-- --quick] [-- --json results.json] [-- --only S1,S6]`: the scenarios of issue 7
// on Switchyard and on @langchain/langgraph, in one process, alternating engines.
import { setMaxListeners } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEngine } from "./engines/load.js";
import { ENGINE_NAMES } from "./engines/types.js";
import { FULL_TIMING, QUICK_TIMING } from "./measure.js";
import { formatScenario } from "./report.js";
import type { ReportedResult } from "./scenario.js";
import { SCENARIOS } from "./scenarios/index.js";
import { formatThroughput, measureThroughput, type ThroughputFigure } from "./fleet/throughput.js";

// LangGraph adds an abort listener per running task to one signal; the 100-way fan-out would
// otherwise print MaxListenersExceededWarning noise.
setMaxListeners(200);

const { values: options } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "string" },
    only: { type: "string" },
  },
});
const only = options.only?.split(",");
// T1 (the Postgres fleet) starts a cluster and worker processes: in full runs, or when asked for.
const throughputWanted = only ? only.includes("T1") : !options.quick;
const scenarios = SCENARIOS.filter((scenario) => !only || only.includes(scenario.id));

const require = createRequire(import.meta.url);
const versionOf = (name: string) =>
  (require(`${name}/package.json`) as { version: string }).version;
const environment = {
  date: new Date().toISOString(),
  quick: options.quick,
  node: process.version,
  cpu: `${availableParallelism()} × ${cpus()[0]?.model ?? "unknown"}`,
  versions: {
    switchyard: (require("../package.json") as { version: string }).version,
    "@langchain/langgraph": versionOf("@langchain/langgraph"),
    "@langchain/langgraph-checkpoint-sqlite": versionOf("@langchain/langgraph-checkpoint-sqlite"),
    "@langchain/langgraph-api": versionOf("@langchain/langgraph-api"),
  },
};
const quickNote = " (quick: too few runs to judge the targets)";
console.log(`# Switchyard vs LangGraph.js${options.quick ? quickNote : ""}\n`);
console.log(`${environment.date}, Node ${environment.node}, ${environment.cpu}`);
console.log(`${JSON.stringify(environment.versions)}\n`);

const engines = await Promise.all(ENGINE_NAMES.map(loadEngine));
const workDir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
const results: ReportedResult[] = [];
let throughput: ThroughputFigure[] | undefined;
try {
  for (const scenario of scenarios) {
    const before = loadavg()[0] ?? 0;
    const result = await scenario.run({
      engines,
      quick: options.quick,
      timing: options.quick ? QUICK_TIMING : FULL_TIMING,
      workDir,
    });
    const reported: ReportedResult = { ...result, loadAverage: [before, loadavg()[0] ?? 0] };
    results.push(reported);
    console.log(formatScenario(reported));
  }
  if (throughputWanted) {
    throughput = await measureThroughput({ quick: options.quick, workDir });
    console.log(formatThroughput(throughput));
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

if (options.json) {
  writeFileSync(
    options.json,
    `${JSON.stringify({ ...environment, scenarios: results, ...(throughput ? { throughput } : {}) }, null, 2)}\n`,
  );
}

// LangGraph's in-memory server (S7, S8) leaves its queue worker polling forever after cleanup:
// end the process once the report is out.
process.exit(0);
