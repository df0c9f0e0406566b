import type { RunStore } from "../index.js";

/** How often stored run events are checked against the retention bound. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Keeps stored run events bounded: at start and then hourly, deletes the events of runs that
 * ended more than `keepMs` ago (their run records stay; a rejoin of such a run's stream gets no
 * events). `keepMs` 0 keeps everything. Returns a function that stops the timer.
 */
export function pruneRunEvents(
  runs: RunStore,
  keepMs: number,
  log: (line: string) => void,
): () => void {
  if (keepMs <= 0) return () => {};
  const prune = async (): Promise<void> => {
    try {
      const deleted = await runs.deleteEventsEndedBefore(
        new Date(Date.now() - keepMs).toISOString(),
      );
      if (deleted > 0)
        log(
          `deleted ${deleted} stored event(s) of runs that ended over ${keepMs / 3_600_000} h ago`,
        );
    } catch (error) {
      log(
        `pruning stored run events failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  void prune();
  const timer = setInterval(() => void prune(), PRUNE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
