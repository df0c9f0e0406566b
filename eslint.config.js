// ESLint flat config. Formatting is Prettier's job (`prettier --check` runs after eslint in
// `npm run lint`), so no stylistic rules here.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

const typeScriptFiles = [
  "src/**/*.ts",
  "test/**/*.ts",
  "graphs/**/*.ts",
  "bench/**/*.ts",
  "scripts/**/*.ts",
  "*.config.ts",
];

// The globals of the Node that runs the linter, for the plain .js/.mjs files (TypeScript files get
// theirs from @types/node). Avoids depending on the `globals` package, which is not a direct dependency.
const nodeGlobals = Object.fromEntries(
  Object.getOwnPropertyNames(globalThis).map((name) => [name, "readonly"]),
);

export default defineConfig([
  {
    ignores: ["node_modules/", "coverage/", ".ci/*.json", "checkpoints/", "docs/"],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },

  js.configs.recommended,

  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { sourceType: "module", globals: nodeGlobals },
  },

  {
    files: typeScriptFiles,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "import-x": importX },
    settings: {
      // Without .ts here import-x skips TypeScript modules entirely and no-cycle never fires.
      "import-x/extensions": [".ts", ".js", ".mjs", ".cjs"],
      "import-x/external-module-folders": ["node_modules", "node_modules/@types"],
      // ESM sources import "./x.js" while the file on disk is ./x.ts (NodeNext resolution); the
      // TypeScript resolver follows tsconfig.json for that.
      "import-x/resolver": { typescript: { project: "./tsconfig.json" } },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // Checkpointer methods are async by contract even when the storage is synchronous, so that
      // every failure is a rejection; an async function without await is the idiom for that.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "import-x/no-cycle": "error",
      // One-way data flow (docs/architecture.md): the superstep machine knows nothing of a thread's
      // lifecycle; storage knows nothing of either; the layers on top use only the public API.
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./src/runtime",
              from: ["./src/threads", "./src/cli", "./src/server", "./src/web", "./src/worker"],
              message: "runtime/ is the machine: it must not reach up into threads/ or the layers.",
            },
            {
              target: "./src/checkpoint",
              from: [
                "./src/graph",
                "./src/runtime",
                "./src/threads",
                "./src/llm",
                "./src/cli",
                "./src/server",
                "./src/worker",
              ],
              message: "checkpoint/ is the bottom layer: it depends on nothing but errors.",
            },
            {
              target: ["./src/cli", "./src/server", "./src/web", "./src/worker"],
              from: [
                "./src/graph",
                "./src/runtime",
                "./src/threads",
                "./src/checkpoint",
                "./src/llm",
                "./src/telemetry",
              ],
              message: "Layers on top use the engine through src/index.ts only.",
            },
            {
              target: "./src/web",
              from: ["./src/server", "./src/cli", "./src/worker"],
              message:
                "web/ is the console: it reaches the engine through src/index.ts and changes things through the server's HTTP API, never by importing the server.",
            },
            {
              // The worker executes runs with the server's run plan and execution; never the reverse.
              target: "./src/server",
              from: ["./src/worker", "./src/cli"],
              message: "server/ is used by the worker and the CLI, not the other way round.",
            },
          ],
        },
      ],
    },
  },

  {
    rules: { "no-console": "off" },
  },
]);
