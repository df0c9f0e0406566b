// The benchmark still runs: `bench/index.ts --quick` end to end, as CI would run it. No timing
// assertions — only that every scenario measured both engines.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Figures {
  time: { median: number };
  fileBytes?: number;
}
interface Report {
  scenarios: Array<{ id: string; engines: Record<string, Figures> }>;
}

describe("npm run bench -- --quick", () => {
  it("measures every scenario on both engines", { timeout: 300_000 }, async () => {
    const json = join(dir, "results.json");
    await run("npx", ["tsx", "bench/index.ts", "--quick", "--json", json], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const report = JSON.parse(readFileSync(json, "utf8")) as Report;

    expect(report.scenarios.map((scenario) => scenario.id)).toEqual([
      "S1",
      "S2",
      "S1A",
      "S2A",
      "S3",
      "S4",
      "S5",
      "S6",
      "R1a",
      "R1b",
      "R1c",
      "R2a",
      "R2b",
      "R2c",
      "R3",
      "R4",
      "C1",
      "D1",
      "S7",
      "S8",
    ]);
    for (const scenario of report.scenarios) {
      expect(Object.keys(scenario.engines).sort()).toEqual(["langgraph", "switchyard"]);
      for (const figures of Object.values(scenario.engines)) {
        expect(figures.time.median).toBeGreaterThan(0);
      }
    }
    const longLoop = report.scenarios.find((scenario) => scenario.id === "S6");
    expect(longLoop?.engines.switchyard?.fileBytes).toBeGreaterThan(0);
    expect(longLoop?.engines.langgraph?.fileBytes).toBeGreaterThan(0);
  });
});
