// The server's public API, imported as "switchyard/server". It is a layer on the engine (it uses
// only src/index.ts), so src/index.ts cannot re-export it without an import cycle.
export { createServer, type SwitchyardServer } from "./app.js";
export { parseApiKeys, type ServerEnv } from "./auth.js";
export type { ServedGraph, ServerOptions } from "./options.js";
// What a worker needs to execute a run exactly as the server would.
export { planRun, writtenBy, type RunPlan } from "./plan.js";
export { executePlan, type Execution } from "./execute.js";
export { plain, waitingInterrupts } from "./wire.js";
