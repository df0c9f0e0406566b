import type { ServedGraph } from "./options.js";

/**
 * Applies passed deadlines on a timer: every `everyMs`, each graph's `sweepExpired()` resumes the
 * threads whose waiting interrupt is overdue with its `onTimeout` (audited as "timeout" by
 * "system:deadline"). Sweeps never overlap; a thread a run holds is left for the next sweep.
 * Returns a function that stops the timer and waits for a sweep in progress.
 */
export function sweepDeadlines(
  graphs: ReadonlyMap<string, ServedGraph>,
  everyMs: number,
  log: (line: string) => void,
): () => Promise<void> {
  if (everyMs <= 0) return async () => {};
  let sweeping: Promise<void> = Promise.resolve();
  let stopped = false;
  const sweep = async (): Promise<void> => {
    for (const [name, { graph }] of graphs) {
      if (stopped) return;
      try {
        for (const swept of await graph.sweepExpired()) {
          log(
            swept.error
              ? `deadline of interrupt ${swept.interruptId} on thread ${swept.threadId} (${name}): ${swept.error.code}: ${swept.error.message}`
              : `deadline of interrupt ${swept.interruptId} on thread ${swept.threadId} (${name}) applied`,
          );
        }
      } catch (error) {
        log(
          `deadline sweep of ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  };
  const timer = setInterval(() => {
    sweeping = sweeping.then(sweep);
  }, everyMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await sweeping;
  };
}
