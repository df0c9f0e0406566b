import { listPendingInterrupts } from "../index.js";
import type { ConsoleDeps } from "./deps.js";

/** What the change feed tells every open page. */
export interface Changes {
  /** Ids of the interrupts waiting now: pages drop items that are no longer in it. */
  readonly inbox: readonly string[];
  /** Changes whenever any thread or run changes: pages reload their live parts. */
  readonly stamp: string;
}

type Listener = (changes: Changes) => void;

/**
 * Looks at the stores every `pollMs` while someone listens and tells listeners when something
 * changed. It reads the database, not the server's memory, so changes made by other processes on
 * the same database (the CLI, another server) show too. One poll serves every open page.
 */
export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private last: Changes | undefined;
  private polling = false;

  constructor(private readonly deps: ConsoleDeps) {}

  /** Calls `listener` with the current state at once, then on every change; returns unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.last) listener(this.last);
    this.timer ??= setInterval(() => void this.poll(), this.deps.pollMs).unref();
    if (!this.last) void this.poll();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
        this.last = undefined;
      }
    };
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const changes = await this.read();
      const same =
        this.last !== undefined &&
        this.last.stamp === changes.stamp &&
        this.last.inbox.join() === changes.inbox.join();
      if (same) return;
      this.last = changes;
      for (const listener of this.listeners) listener(changes);
    } catch (error) {
      console.error("console change feed: could not read the stores:", error);
    } finally {
      this.polling = false;
    }
  }

  private async read(): Promise<Changes> {
    const inbox = (await listPendingInterrupts(this.deps.checkpointer)).map(
      (item) => item.interruptId,
    );
    let newest = "";
    for await (const thread of this.deps.checkpointer.listThreads({ limit: 1 })) {
      newest = `${thread.threadId}@${thread.updatedAt}`;
    }
    const [record] = await this.deps.runs.listThreads();
    const recorded = record ? `${record.threadId}@${record.updatedAt}` : "";
    return { inbox, stamp: `${newest}|${recorded}|${inbox.length}` };
  }
}
