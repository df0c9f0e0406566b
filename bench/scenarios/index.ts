import type { Scenario } from "../scenario.js";
import { asyncChainInMemory, asyncChainSqlite } from "./async-chain.js";
import { chainInMemory, chainSqlite } from "./chain.js";
import { concurrentThreads } from "./concurrent.js";
import { diskFootprint } from "./disk.js";
import { fanOutInMemory, fanOutSqlite } from "./fan-out.js";
import { interruptResume } from "./interrupt.js";
import { longLoop } from "./long-loop.js";
import { fullHistory, getStateScenarios, historyLimit, oneStepScenarios } from "./reads.js";
import { serverCreateRunWait, serverFirstEvent } from "./server.js";

/** Every scenario of issues 7 and 17 (and the server ones of issue 12), in report order. */
export const SCENARIOS: readonly Scenario[] = [
  chainInMemory,
  chainSqlite,
  asyncChainInMemory,
  asyncChainSqlite,
  fanOutInMemory,
  fanOutSqlite,
  interruptResume,
  longLoop,
  ...getStateScenarios,
  ...oneStepScenarios,
  fullHistory,
  historyLimit,
  concurrentThreads,
  diskFootprint,
  serverCreateRunWait,
  serverFirstEvent,
];
