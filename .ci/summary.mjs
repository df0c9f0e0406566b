// Reads vitest's JSON report and prints the CI summary line, e.g. "212 passed, 0 failed".
// Exits 1 when anything failed, no test ran, or vitest marked the run unsuccessful; 2 when the
// report is missing or unreadable. Notes go to stderr first so the summary stays the last line.
// Usage: node .ci/summary.mjs [path/to/vitest-report.json]
import { readFileSync } from "node:fs";

const reportPath = process.argv[2] ?? ".ci/vitest-report.json";

let report;
try {
  report = JSON.parse(readFileSync(reportPath, "utf8"));
} catch (error) {
  const reason = error.code === "ENOENT" ? "not found" : error.message;
  console.log(`test report unreadable: ${reportPath} (${reason}); the test run did not complete`);
  process.exit(2);
}

function count(field) {
  const value = report[field] ?? 0;
  if (!Number.isInteger(value) || value < 0) {
    console.log(`test report invalid: ${reportPath} field ${field} is ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return value;
}

const passed = count("numPassedTests");
const failed = count("numFailedTests");
const skipped = count("numPendingTests") + count("numTodoTests");
const failedSuites = count("numFailedTestSuites");

const problems = [];
if (report.success !== true) {
  const detail = failedSuites > 0 ? ` (${failedSuites} failed suites)` : "";
  problems.push(`vitest reported the run as unsuccessful${detail}`);
}
if (count("numTotalTests") === 0) problems.push("no tests ran");
for (const problem of problems) console.error(problem);

console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || problems.length > 0 ? 1 : 0);
