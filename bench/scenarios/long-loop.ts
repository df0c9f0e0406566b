// S6: a loop of 1,600 steps, each appending 1 KB to a list, on one SQLite thread. Each engine's run
// is a child process of its own (long-loop-child.ts), so peak RSS is per engine.
import { fork } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EngineName } from "../engines/types.js";
import { ratioCheck, type Check, type EngineFigures, type Scenario } from "../scenario.js";
import { summarize } from "../stats.js";
import type { LongLoopRun } from "./long-loop-child.js";

const CHILD = fileURLToPath(new URL("./long-loop-child.ts", import.meta.url));
const MAX_FILE_BYTES = 6_000_000;
const MAX_LAST_TO_FIRST = 1.2;

const TITLE = "loop appending 1 KB per step, SQLite file, one thread";
const FULL = { steps: 1600, warmupSteps: 100, repetitions: 3 };
const QUICK = { steps: 200, warmupSteps: 20, repetitions: 1 };

export const longLoop: Scenario = {
  id: "S6",
  title: TITLE,
  async run({ engines, quick, workDir }) {
    const { steps, warmupSteps, repetitions } = quick ? QUICK : FULL;
    const runs = new Map<EngineName, LongLoopRun[]>(engines.map((e) => [e.name, []]));
    for (let repetition = 0; repetition < repetitions; repetition += 1) {
      const order = repetition % 2 === 0 ? engines : [...engines].reverse();
      for (const { name } of order) {
        const dbPath = join(workDir, `long-loop-${name}.db`);
        runs.get(name)?.push(await runChild(name, [steps, warmupSteps, dbPath]));
      }
    }
    const figures = (engine: EngineName): Required<EngineFigures> => {
      const of = (pick: (run: LongLoopRun) => number) =>
        summarize((runs.get(engine) ?? []).map(pick)).median;
      return {
        time: summarize((runs.get(engine) ?? []).map((run) => run.totalMs)),
        fileBytes: of((run) => run.fileBytes),
        maxRssBytes: of((run) => run.maxRssBytes),
        first100Ms: of((run) => run.first100Ms),
        last100Ms: of((run) => run.last100Ms),
        lastToFirst: of((run) => run.last100Ms / run.first100Ms),
      };
    };
    const switchyard = figures("switchyard");
    const langgraph = figures("langgraph");
    const ratio = langgraph.time.median / switchyard.time.median;
    const checks: Check[] = [
      ratioCheck(ratio, 40),
      {
        label: "Switchyard database file",
        target: `≤ ${MAX_FILE_BYTES / 1e6} MB`,
        value: switchyard.fileBytes / 1e6,
        met: switchyard.fileBytes <= MAX_FILE_BYTES,
      },
      {
        label: "Switchyard last 100 / first 100 steps",
        target: `≤ ${MAX_LAST_TO_FIRST}`,
        value: switchyard.lastToFirst,
        met: switchyard.lastToFirst <= MAX_LAST_TO_FIRST,
      },
    ];
    return {
      id: "S6",
      title: `${steps}-step ${TITLE}`,
      engines: { switchyard, langgraph },
      ratio,
      checks,
    };
  },
};

function runChild(engine: EngineName, args: ReadonlyArray<string | number>): Promise<LongLoopRun> {
  return new Promise((resolve, reject) => {
    // The parent's execArgv carries tsx's loader (and --cpu-prof when profiling).
    const child = fork(CHILD, [engine, ...args.map(String)], { execArgv: process.execArgv });
    let result: LongLoopRun | undefined;
    child.on("message", (message) => (result = message as LongLoopRun));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(`S6 on ${engine}: the child process exited with code ${code}`));
    });
  });
}
