/** One server-sent event of a run. `id` counts from 0 within the run. */
export interface RunEvent {
  readonly id: string;
  readonly event: string;
  readonly data: unknown;
}

/**
 * The events of one run, kept while it runs and for a while after, so a client that joins late
 * or reconnects with `Last-Event-ID` gets what it missed. Readers follow it without polling.
 */
export class RunEventLog {
  private readonly events: RunEvent[] = [];
  private readonly wakers = new Set<() => void>();
  private closed = false;

  /** Appends an event and returns it (undefined once the log is closed). */
  push(event: string, data: unknown): RunEvent | undefined {
    if (this.closed) return undefined;
    const added = { id: String(this.events.length), event, data };
    this.events.push(added);
    this.wake();
    return added;
  }

  /** A closed log of events read back from storage, for a run that no longer runs here. */
  static of(events: ReadonlyArray<{ event: string; data: unknown }>): RunEventLog {
    const log = RunEventLog.continuing(events);
    log.close();
    return log;
  }

  /**
   * An open log that starts with `events` (stored by an earlier process, ids from 0 without
   * gaps): what is pushed next gets the following ids, so a client that saw some of them
   * rejoins with `Last-Event-ID` and gets exactly the rest.
   */
  static continuing(events: ReadonlyArray<{ event: string; data: unknown }>): RunEventLog {
    const log = new RunEventLog();
    for (const { event, data } of events) log.push(event, data);
    return log;
  }

  /** How many events the log holds. */
  get size(): number {
    return this.events.length;
  }

  /** The newest event named `event`, if any. */
  last(event: string): RunEvent | undefined {
    return this.events.findLast((item) => item.event === event);
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  get finished(): boolean {
    return this.closed;
  }

  /**
   * Yields the events after `lastEventId` (all of them for undefined or "-1"), then new ones as
   * they come, and ends when the run ends or `signal` aborts.
   */
  async *follow(lastEventId: string | undefined, signal: AbortSignal): AsyncGenerator<RunEvent> {
    const after = lastEventId === undefined ? -1 : Number.parseInt(lastEventId, 10);
    let next = Number.isNaN(after) ? 0 : Math.max(after + 1, 0);
    while (!signal.aborted) {
      while (next < this.events.length) yield this.events[next++] as RunEvent;
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.wakers.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        this.wakers.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }
}
