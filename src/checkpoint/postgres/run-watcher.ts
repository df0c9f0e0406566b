import type pg from "pg";
import { RUN_CHANNEL } from "./run-schema.js";

/**
 * One LISTEN connection per process, dispatching `switchyard_runs` notifications (a run id each)
 * to the callbacks watching that run. When the connection drops it reconnects and wakes every
 * watcher, since notifications sent meanwhile are lost: watchers re-read the tables, which stay
 * the truth.
 */
export class RunWatcher {
  private readonly watchers = new Map<string, Set<() => void>>();
  private client: Promise<pg.PoolClient> | undefined;
  private closed = false;

  constructor(private readonly pool: pg.Pool) {}

  async watch(runId: string, onChange: () => void): Promise<() => void> {
    await this.listen();
    const set = this.watchers.get(runId) ?? new Set();
    set.add(onChange);
    this.watchers.set(runId, set);
    return () => {
      set.delete(onChange);
      if (set.size === 0 && this.watchers.get(runId) === set) this.watchers.delete(runId);
    };
  }

  private listen(): Promise<pg.PoolClient> {
    this.client ??= (async () => {
      const client = await this.pool.connect();
      client.on("notification", (message) => {
        if (message.channel !== RUN_CHANNEL || message.payload === undefined) return;
        for (const wake of [...(this.watchers.get(message.payload) ?? [])]) wake();
      });
      client.on("error", () => {
        client.release(true);
        this.client = undefined;
        if (this.closed) return;
        setTimeout(() => {
          this.listen().then(
            () => this.wakeAll(),
            () => this.wakeAll(),
          );
        }, 500).unref();
      });
      await client.query(`LISTEN ${RUN_CHANNEL}`);
      return client;
    })().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  private wakeAll(): void {
    for (const set of this.watchers.values()) for (const wake of [...set]) wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = await this.client?.catch(() => undefined);
    this.client = undefined;
    if (!client) return;
    await client.query(`UNLISTEN ${RUN_CHANNEL}`).catch(() => undefined);
    client.release();
  }
}
