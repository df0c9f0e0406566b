import type { Scenario } from "../scenario.js";
import { chainInMemory, chainSqlite } from "./chain.js";
import { fanOutInMemory, fanOutSqlite } from "./fan-out.js";
import { interruptResume } from "./interrupt.js";
import { longLoop } from "./long-loop.js";
import { serverCreateRunWait, serverFirstEvent } from "./server.js";

/** Every scenario of issue 7 (and the server ones of issue 12), in report order. */
export const SCENARIOS: readonly Scenario[] = [
  chainInMemory,
  chainSqlite,
  fanOutInMemory,
  fanOutSqlite,
  interruptResume,
  longLoop,
  serverCreateRunWait,
  serverFirstEvent,
];
