// A child process for concurrent-open.test.ts: opens a series of NEW database files, each at the
// same wall-clock moment as the other children (round r starts at startAt + r * spacingMs), makes
// one write and one read, and prints one JSON line per round: { round, ok } or { round, code, message }.
import { join } from "node:path";
import { SqliteCheckpointer, SwitchyardError } from "../../src/index.js";

const [folder, rounds, startAt, spacingMs] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

for (let round = 0; round < Number(rounds); round += 1) {
  await sleep(Number(startAt) + round * Number(spacingMs) - Date.now());
  const owner = `child-${process.pid}`;
  try {
    const store = new SqliteCheckpointer(join(folder, `round-${round}.db`));
    try {
      await store.acquireLease(owner, owner);
      await store.getThread(owner);
      await store.releaseLease(owner, owner);
    } finally {
      store.close();
    }
    console.log(JSON.stringify({ round, ok: true }));
  } catch (error) {
    const code = error instanceof SwitchyardError ? error.code : "RAW";
    console.log(JSON.stringify({ round, code, message: (error as Error).message }));
  }
}
