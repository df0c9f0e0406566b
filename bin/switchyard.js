#!/usr/bin/env node
// The `switchyard` command. Graph files are TypeScript, so TypeScript loading (tsx) is registered
// before the CLI itself is imported, and `.ts` files load as ES modules wherever they are.
import { register as registerHooks } from "node:module";
import { register } from "tsx/esm/api";

register();
registerHooks("./esm-hooks.js", import.meta.url);
// `switchyard inbox | head -1`: a closed pipe ends the output quietly, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
// Stopped by Ctrl-C or SIGTERM: the run is cancelled and its lease released, but a node that ignored
// the cancellation may still hold the event loop open. Leave now.
if (process.exitCode === 130 || process.exitCode === 143) process.exit();
