// The worker's public API, imported as "switchyard/worker": a layer on the engine and the server's
// run execution, like "switchyard/server".
export { startWorker, type SwitchyardWorker, type WorkerOptions } from "./worker.js";
