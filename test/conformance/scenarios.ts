// Every conformance scenario, grouped by theme in the files imported here.
import type { Scenario } from "./harness.js";
import { builderScenarios } from "./scenarios-builder.js";
import { cacheScenarios } from "./scenarios-cache.js";
import { continueScenarios } from "./scenarios-continue.js";
import { differenceScenarios } from "./scenarios-differences.js";
import { flowScenarios } from "./scenarios-flow.js";
import { interruptScenarios } from "./scenarios-interrupts.js";
import { sendScenarios } from "./scenarios-send.js";
import { streamScenarios } from "./scenarios-stream.js";
import { subgraphStateScenarios } from "./scenarios-subgraph-state.js";
import { subgraphScenarios } from "./scenarios-subgraphs.js";
import { resumeScenarios } from "./scenarios-resume.js";
import { threadScenarios } from "./scenarios-threads.js";

export const SCENARIOS: readonly Scenario[] = [
  ...flowScenarios,
  ...builderScenarios,
  ...sendScenarios,
  ...streamScenarios,
  ...threadScenarios,
  ...resumeScenarios,
  ...interruptScenarios,
  ...continueScenarios,
  ...subgraphScenarios,
  ...subgraphStateScenarios,
  ...cacheScenarios,
  ...differenceScenarios,
];
