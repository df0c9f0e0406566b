/**
 * A push/pull queue between the run (producer) and a `for await` consumer. The producer never
 * waits; when the consumer stops early, `onStop` runs so the producer can abort the run.
 */
export class StreamQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private done = false;
  private error: { value: unknown } | undefined;

  constructor(private readonly onStop: () => void) {}

  push(item: T): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.clearWaiting();
      resolve({ value: item, done: false });
    } else {
      this.buffer.push(item);
    }
  }

  close(): void {
    this.finish(undefined);
  }

  fail(error: unknown): void {
    this.finish({ value: error });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0)
      return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.error) return Promise.reject(this.error.value);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.buffer.length = 0;
      this.onStop();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private finish(error: { value: unknown } | undefined): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    if (this.waiting) {
      const resolve = this.waiting;
      const reject = this.failWaiting;
      this.clearWaiting();
      if (error) reject?.(error.value);
      else resolve({ value: undefined, done: true });
      if (error) this.error = undefined;
    }
  }

  private clearWaiting(): void {
    this.waiting = undefined;
    this.failWaiting = undefined;
  }
}
