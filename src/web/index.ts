// The console's public API, for the server that mounts it. A layer on the engine: it uses only
// src/index.ts.
export { createConsole } from "./app.js";
export type { ConsoleGraph, ConsoleOptions } from "./deps.js";
export type { ApiFetch } from "./api.js";
