import type { Scenario } from "../scenario.js";
import { chainInMemory, chainSqlite } from "./chain.js";
import { fanOutInMemory, fanOutSqlite } from "./fan-out.js";
import { longLoop } from "./long-loop.js";

/**
 * Every scenario of issue 7, in report order. S5 (a node calls `interrupt()`, then
 * `Command({ resume })`; SQLite; one cycle per run; target ≥ 5×) joins as a `timedScenario`
 * once Switchyard has `interrupt()`.
 */
export const SCENARIOS: readonly Scenario[] = [
  chainInMemory,
  chainSqlite,
  fanOutInMemory,
  fanOutSqlite,
  longLoop,
];
