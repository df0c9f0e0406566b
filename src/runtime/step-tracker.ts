/**
 * The promises of step functions still running. Tracking them lets the engine wait for an
 * abandoned attempt's step (and record its result) before it retries, resumes or lets go of the
 * thread. A tracker with a parent reports to it too (a task's steps count for its run).
 */
export class StepTracker {
  /** Made at the first step: most tasks run none. */
  private running: Set<Promise<unknown>> | undefined;

  constructor(private readonly parent?: StepTracker) {}

  track(promise: Promise<unknown>): void {
    const running = (this.running ??= new Set());
    running.add(promise);
    const done = (): void => void running.delete(promise);
    promise.then(done, done);
    this.parent?.track(promise);
  }

  /** True when no tracked step is running: callers skip `settle` (and its promise) then. */
  get idle(): boolean {
    return this.running === undefined || this.running.size === 0;
  }

  /** Waits up to `ms` for every tracked step to settle; false when some still run. */
  async settle(ms: number): Promise<boolean> {
    const running = this.running;
    if (!running) return true;
    const deadline = Date.now() + ms;
    while (running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const all = Promise.allSettled([...running]);
      if (left === Number.POSITIVE_INFINITY) {
        await all;
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
      await Promise.race([all, expired]);
      clearTimeout(timer);
    }
    return true;
  }
}
