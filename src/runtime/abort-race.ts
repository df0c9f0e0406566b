/**
 * Settles a task's wait (a node's or a router's promise) with the run's abort reason as soon as the
 * run's signal aborts, through one abort listener for the whole run instead of one per wait: a
 * superstep of a thousand waiting tasks adds a single listener, and a chain adds one in all.
 *
 * Invariant: the listener is added at the first wait and stays until the signal aborts (it is
 * `once`); the signal and this object belong to one run and are dropped together.
 */
export class AbortRace {
  private readonly waiting = new Set<Waiter>();
  private listening = false;

  constructor(private readonly signal: AbortSignal) {}

  /** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
  wait<T>(promise: PromiseLike<T>): Promise<T> {
    return this.then<T, T>(promise, identity, rethrow);
  }

  /**
   * `promise.then(onValue, onError)`, where an abort of the signal counts as a rejection with its
   * reason (and the promise's own outcome is then ignored). One promise per wait: the handlers run
   * in the reaction that settles it.
   */
  then<T, U>(
    promise: PromiseLike<T>,
    onValue: (value: T) => U | PromiseLike<U>,
    onError: (error: unknown) => U | PromiseLike<U>,
  ): Promise<U> {
    const signal = this.signal;
    if (signal.aborted) {
      try {
        return Promise.resolve(onError(signal.reason));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (!this.listening) {
      this.listening = true;
      signal.addEventListener("abort", () => this.abortAll(), { once: true });
    }
    return new Promise<U>((resolve, reject) => {
      const waiter = new Waiter(this.waiting, resolve, reject, onValue, onError);
      this.waiting.add(waiter);
      promise.then(
        (value) => waiter.settle(onValue, value),
        (error: unknown) => waiter.settle(onError, error),
      );
    });
  }

  private abortAll(): void {
    const reason: unknown = this.signal.reason;
    for (const waiter of [...this.waiting]) waiter.abort(reason);
    this.waiting.clear();
  }
}

/** One wait in progress: settled once, by the awaited promise or by the abort, whichever is first. */
class Waiter {
  private settled = false;

  constructor(
    private readonly waiting: Set<Waiter>,
    private readonly resolve: (value: never) => void,
    private readonly reject: (error: unknown) => void,
    private readonly onValue: (value: never) => unknown,
    private readonly onError: (error: unknown) => unknown,
  ) {}

  abort(reason: unknown): void {
    this.settle(this.onError, reason);
  }

  settle<I>(handler: (input: I) => unknown, input: I): void {
    if (this.settled) return;
    this.settled = true;
    this.waiting.delete(this);
    try {
      this.resolve(handler(input) as never);
    } catch (error) {
      this.reject(error);
    }
  }
}

function identity<T>(value: T): T {
  return value;
}

function rethrow(error: unknown): never {
  throw error;
}

/** True for anything `await` would wait on. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
