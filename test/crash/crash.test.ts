// Crash test (issue 3): the durable graph (durable-graph.ts) runs in a child process on a SQLite
// file and is killed with SIGKILL at random points, then resumed in a new process, again and again,
// until a run completes. Every thread must end with the state of an uncrashed run, and a task that
// completed (its writes were persisted) must never run again.
//
// Kill points come from a seeded PRNG; set CRASH_SEED to replay a failing seed's choices (the
// timing of the processes still varies from run to run).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  describeExit,
  outcome,
  readLog,
  sleep,
  startChild,
  stopChildren,
  tempDir,
  type LogEntry,
} from "./spawn.js";

const DURABLE_GRAPH = "test/crash/durable-graph.ts";
/** Short, so a killed child's lease is gone by the time the next child has started. */
const LEASE_MS = 300;
const MIN_THREADS = 10;
const MIN_KILLS = 30;
/** Extra threads run only while fewer than MIN_KILLS kills landed (a child may finish first). */
const MAX_THREADS = 20;
/** Kills planned per thread: MIN_THREADS × KILLS_PER_THREAD = MIN_KILLS. */
const KILLS_PER_THREAD = 3;
/** Threads crashed side by side; each has its own database file. */
const CONCURRENCY = 4;
/** Children one thread may use before the test gives up on it. */
const MAX_CHILDREN = 40;
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 32));

interface DurableState {
  round: number;
  tasks: string[];
  total: number;
}

interface Reference {
  readonly state: DurableState;
  /** How long the uncrashed child ran after it was ready, in ms. */
  readonly runMs: number;
}

interface CrashedThread {
  readonly index: number;
  readonly state: DurableState;
  readonly log: LogEntry[];
  readonly kills: number;
  /** Share of the tasks completed when each kill landed; -1 for a kill before `ready`. */
  readonly killedAt: number[];
  /** What happened to each child, for failure messages. */
  readonly story: string[];
}

/** mulberry32: a small seeded PRNG returning numbers in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Share of the run's tasks with a `done` line. */
const doneShare = (log: LogEntry[], total: number) =>
  new Set(log.filter((entry) => entry.kind === "done").map((entry) => entry.key)).size / total;

/** Tasks that logged `start` after a `done`: completed work that ran again. */
function rerunsAfterDone(log: readonly LogEntry[]): string[] {
  const completed = new Set<string>();
  const reruns: string[] = [];
  for (const { kind, key } of log) {
    if (kind === "done") completed.add(key);
    else if (completed.has(key)) reruns.push(key);
  }
  return reruns;
}

/** The state's task keys that occur more than once. */
const duplicates = (keys: readonly string[]) =>
  keys.filter((key, index) => keys.indexOf(key) !== index);

describe("crash test: SIGKILL at random points, resume in a new process", () => {
  const dir = tempDir("switchyard-crash-");
  let reference: Reference;
  /** Set when the test ends, so threads still running after a failure stop spawning children. */
  let stopping = false;

  beforeAll(async () => {
    const child = startChild(DURABLE_GRAPH, [
      join(dir.path, "reference.db"),
      join(dir.path, "reference.log"),
      "reference",
      "start",
      LEASE_MS,
    ]);
    await child.ready;
    const readyAt = Date.now();
    const result = await child.exited;
    const state = outcome<DurableState>(result).state;
    if (result.code !== 0 || !state)
      throw new Error(`reference run failed: ${describeExit(result)}`);
    reference = { state, runMs: Date.now() - readyAt };
  }, 30_000);

  afterAll(async () => {
    stopping = true;
    await stopChildren();
    dir.remove();
  });

  it("the uncrashed reference run starts and completes every task once", () => {
    const log = readLog(join(dir.path, "reference.log"));
    const { tasks } = reference.state;
    // 8 rounds of a, b, c, join, 4 workers and tally (see durable-graph.ts).
    expect(tasks).toHaveLength(8 * (3 + 1 + 4 + 1));
    expect(duplicates(tasks)).toEqual([]);
    const starts = log.filter((entry) => entry.kind === "start").map((entry) => entry.key);
    const dones = log.filter((entry) => entry.kind === "done").map((entry) => entry.key);
    expect([...starts].sort()).toEqual([...tasks].sort());
    expect([...dones].sort()).toEqual([...tasks].sort());
  });

  /** Crashes one thread until a child completes it. */
  async function crashThread(index: number, quota: number): Promise<CrashedThread> {
    const next = random(SEED + index * 0x9e3779b9);
    const db = join(dir.path, `thread-${index}.db`);
    const logPath = join(dir.path, `thread-${index}.log`);
    const total = reference.state.tasks.length;
    const killedAt: number[] = [];
    const story: string[] = [];
    for (let children = 0; children < MAX_CHILDREN; children += 1) {
      if (stopping) throw new Error(`seed ${SEED}, thread ${index}: stopped`);
      const mode = children === 0 ? "start" : "resume";
      const child = startChild(DURABLE_GRAPH, [db, logPath, `thread-${index}`, mode, LEASE_MS]);
      let timer: NodeJS.Timeout | undefined;
      let plan = "no kill";
      let ready = false;
      let killedBeforeReady = false;
      const kill = () => {
        killedBeforeReady = !ready;
        child.kill();
      };
      void child.ready.then((isReady) => (ready = isReady));
      if (killedAt.length < quota) {
        const early = next() < 0.15;
        const fraction = next();
        if (early) {
          // Anywhere in the start-up, possibly before the database is even opened.
          const delay = Math.round(fraction * 1000);
          plan = `kill ${delay} ms after spawn`;
          timer = setTimeout(kill, delay);
        } else {
          // Anywhere in what is left of the run, judged by the tasks already done.
          void child.ready.then((isReady) => {
            if (!isReady) return;
            const left = 1 - doneShare(readLog(logPath), total);
            const delay = Math.round(fraction * left * reference.runMs);
            plan = `kill ${delay} ms after ready (${Math.round((1 - left) * 100)}% done)`;
            timer = setTimeout(kill, delay);
          });
        }
      }
      const result = await child.exited;
      clearTimeout(timer);
      const ended = outcome<DurableState>(result);
      story.push(`${mode}: ${plan} -> ${result.signal ?? `exit ${String(result.code)}`}`);
      if (result.signal === "SIGKILL") {
        killedAt.push(killedBeforeReady ? -1 : doneShare(readLog(logPath), total));
        continue;
      }
      if (result.code === 2 && ended.code === "THREAD_BUSY") {
        await sleep(LEASE_MS); // the killed child's lease has not expired yet
        continue;
      }
      if (result.code !== 0 || !ended.state) {
        throw new Error(
          `seed ${SEED}, thread ${index}: a ${mode} child failed: ${describeExit(result)}\n${story.join("\n")}`,
        );
      }
      return {
        index,
        state: ended.state,
        log: readLog(logPath),
        kills: killedAt.length,
        killedAt,
        story,
      };
    }
    throw new Error(`seed ${SEED}, thread ${index}: no child completed\n${story.join("\n")}`);
  }

  it("every thread ends as the uncrashed run did; no completed task runs again", async () => {
    const threads: CrashedThread[] = [];
    const kills = () => threads.reduce((sum, thread) => sum + thread.kills, 0);
    let nextThread = 0;
    const worker = async () => {
      while (nextThread < MIN_THREADS) {
        const index = nextThread;
        nextThread += 1;
        threads.push(await crashThread(index, KILLS_PER_THREAD));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // A child can finish before its planned kill lands; more threads make up for such misses.
    while (kills() < MIN_KILLS && threads.length < MAX_THREADS) {
      threads.push(await crashThread(threads.length, MIN_KILLS - kills()));
    }

    const killedAt = threads.flatMap((thread) => thread.killedAt);
    const quartiles = [0, 0.25, 0.5, 0.75].map(
      (from) => killedAt.filter((share) => share >= from && share < from + 0.25).length,
    );
    console.log(
      `crash test, seed ${SEED}: ${kills()} kills over ${threads.length} threads ` +
        `(${threads.reduce((sum, thread) => sum + thread.story.length, 0)} child processes); ` +
        `${killedAt.filter((share) => share < 0).length} before the child was ready, then by ` +
        `share of tasks done 0-25%: ${quartiles[0]}, 25-50%: ${quartiles[1]}, ` +
        `50-75%: ${quartiles[2]}, 75-100%: ${quartiles[3]}, ` +
        `all done: ${killedAt.filter((share) => share === 1).length}`,
    );

    for (const thread of threads) {
      const context = `seed ${SEED}, thread ${thread.index}:\n${thread.story.join("\n")}`;
      const { tasks } = thread.state;
      const started = new Set(
        thread.log.filter((entry) => entry.kind === "start").map((entry) => entry.key),
      );
      expect
        .soft(thread.state, `final state differs from the uncrashed run; ${context}`)
        .toEqual(reference.state);
      expect
        .soft(rerunsAfterDone(thread.log), `completed tasks that started again; ${context}`)
        .toEqual([]);
      expect
        .soft(
          tasks.filter((key) => !started.has(key)),
          `tasks in the state that never started; ${context}`,
        )
        .toEqual([]);
      expect.soft(duplicates(tasks), `tasks in the state twice; ${context}`).toEqual([]);
    }
    expect(threads.length).toBeGreaterThanOrEqual(MIN_THREADS);
    expect(kills(), `seed ${SEED}`).toBeGreaterThanOrEqual(MIN_KILLS);
  }, 180_000);
});
