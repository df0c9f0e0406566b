#!/usr/bin/env node
// The `switchyard` command. Graph files are TypeScript, so TypeScript loading (tsx) is registered
// before the CLI itself is imported.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
