import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** A file the console serves, read once at start: everything ships in the package. */
export interface Asset {
  readonly type: string;
  readonly body: string;
}

const here = (name: string) => fileURLToPath(new URL(`./assets/${name}`, import.meta.url));

/** htmx from its npm package, the console's script and stylesheet from src/web/assets. */
export function loadAssets(): ReadonlyMap<string, Asset> {
  const require = createRequire(import.meta.url);
  const htmx = require.resolve("htmx.org/dist/htmx.min.js");
  const script = "text/javascript; charset=utf-8";
  return new Map([
    ["htmx.js", { type: script, body: readFileSync(htmx, "utf8") }],
    ["console.js", { type: script, body: readFileSync(here("console.js"), "utf8") }],
    [
      "console.css",
      { type: "text/css; charset=utf-8", body: readFileSync(here("console.css"), "utf8") },
    ],
  ]);
}
