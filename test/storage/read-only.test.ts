// Issue 10 item 4 / issue 15 item 9: a database this user can only read still serves reads
// (inbox, show, history), a write is refused with DATABASE_READ_ONLY (no stack trace), and the
// thread continues once write access is back. Runs the real CLI; as root (who ignores file modes)
// it runs the CLI as the unprivileged user "nobody".
import { spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BIN, FIXTURE_GRAPHS, REPO_ROOT, STACK_FRAME } from "../cli/run-cli.js";

const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const folders: string[] = [];
/** Folders above the clone that "nobody" could not enter, with their modes, restored afterwards. */
const opened: Array<{ folder: string; mode: number }> = [];

// A clone inside a private folder (mktemp -d makes 0700 ones) is out of reach of "nobody", who
// must run the CLI from it: let others pass through (search permission only, no listing) for the
// length of this file.
beforeAll(() => {
  if (!asRoot) return;
  for (let folder = REPO_ROOT; folder !== dirname(folder); folder = dirname(folder)) {
    const mode = statSync(folder).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(folder, mode | 0o001);
      opened.push({ folder, mode });
    }
  }
});

afterAll(() => {
  for (const folder of folders) {
    chmodSync(folder, 0o755);
    rmSync(folder, { recursive: true, force: true });
  }
  for (const { folder, mode } of opened.reverse()) chmodSync(folder, mode);
});

/** `switchyard --exit-code --db <db> --graphs <fixtures> ...args`, as an unprivileged user. */
function cli(db: string, ...args: string[]) {
  const child = spawn(
    process.execPath,
    [BIN, "--exit-code", "--db", db, "--graphs", FIXTURE_GRAPHS, ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, SWITCHYARD_DB: undefined, NO_COLOR: "1", HOME: tmpdir() },
      stdio: ["ignore", "pipe", "pipe"],
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (data: string) => (stdout += data));
  child.stderr.setEncoding("utf8").on("data", (data: string) => (stderr += data));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A folder and a database the CLI user owns, with thread "t1" waiting for an answer. */
async function waitingThread() {
  const folder = mkdtempSync(join(tmpdir(), "switchyard-ro-"));
  folders.push(folder);
  if (asRoot) chownSync(folder, NOBODY, NOBODY);
  const db = join(folder, "switchyard.db");
  const run = await cli(db, "run", "two-questions", "--thread", "t1");
  expect(run.code, run.stderr).toBe(3);
  expect(existsSync(`${db}-wal`)).toBe(false);
  return { folder, db };
}

async function expectReadsWork(db: string) {
  const [inbox, show, history] = await Promise.all([
    cli(db, "inbox"),
    cli(db, "show", "t1"),
    cli(db, "history", "t1"),
  ]);
  expect(inbox.code, inbox.stderr).toBe(0);
  expect(inbox.stdout).toContain("t1");
  expect(show.stderr).toBe("");
  expect(show.stdout).toContain("How many seats?");
  expect(history.code, history.stderr).toBe(0);
  expect(history.stdout).toContain("input");
}

async function expectWriteRefused(db: string) {
  const resume = await cli(db, "resume", "t1", "--value", "3");
  expect(resume.code).not.toBe(0);
  expect(resume.stderr).toContain("DATABASE_READ_ONLY");
  expect(resume.stderr).toContain("write access");
  expect(resume.stderr).not.toMatch(STACK_FRAME);
}

it("a read-only file serves inbox, show and history; a resume is refused, then works with write access", async () => {
  const { db } = await waitingThread();
  chmodSync(db, 0o444);
  await expectReadsWork(db);
  await expectWriteRefused(db);

  // What the message says to do: SQLite gave the -wal and -shm files it made the file's mode.
  for (const suffix of ["", "-wal", "-shm"]) {
    if (existsSync(`${db}${suffix}`)) chmodSync(`${db}${suffix}`, 0o644);
  }
  const resume = await cli(db, "resume", "t1", "--value", "3");
  expect(resume.stderr).not.toContain("DATABASE_READ_ONLY");
  expect(resume.stdout).toContain("waits for a decision");
}, 60_000);

it("a database in a read-only folder serves reads too (a read-only snapshot of the file)", async () => {
  const { folder, db } = await waitingThread();
  chmodSync(folder, 0o555);
  await expectReadsWork(db);
  await expectWriteRefused(db);
  expect(existsSync(`${db}-wal`)).toBe(false);

  chmodSync(folder, 0o755);
  const resume = await cli(db, "resume", "t1", "--value", "3");
  expect(resume.stdout).toContain("waits for a decision");
}, 60_000);
