import { CancelledError } from "../index.js";
import { CliError } from "./errors.js";

/** The conventional exit codes of a process stopped by a signal: 128 + its number. */
export const EXIT_ON_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;

type StopSignal = keyof typeof EXIT_ON_SIGNAL;

/**
 * Runs `work` with an AbortSignal that SIGINT (Ctrl-C) and SIGTERM abort. The engine then cancels
 * the run: the unfinished superstep is not saved, the thread's lease is released, and the thread
 * can be continued at once. The cancellation surfaces as CliError CANCELLED with exit code 130 or
 * 143 and the command that continues. A second signal exits at once (the lease then expires).
 */
export async function cancelOnSignal<T>(
  work: (signal: AbortSignal) => Promise<T>,
  advice: (threadId: string | undefined) => string = continueAdvice,
): Promise<T> {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const onSignal = (signal: StopSignal): void => {
    if (received !== undefined) process.exit(EXIT_ON_SIGNAL[signal]);
    received = signal;
    controller.abort();
  };
  const handlers = (Object.keys(EXIT_ON_SIGNAL) as StopSignal[]).map(
    (signal) => [signal, () => onSignal(signal)] as const,
  );
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (received === undefined || !(error instanceof CancelledError)) throw error;
    const where =
      error.threadId === undefined ? "" : ` at step ${error.step} on thread "${error.threadId}"`;
    throw new CliError(
      "CANCELLED",
      `Stopped by ${received}${where}. The unfinished superstep was not saved; the thread stands at ` +
        `its last checkpoint and is free. ${advice(error.threadId)}`,
      EXIT_ON_SIGNAL[received],
    );
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

/** What to run after a cancelled run of one thread. */
export function continueAdvice(threadId: string | undefined): string {
  return threadId === undefined
    ? ""
    : `Continue with: npx switchyard continue ${threadId} (or see it with: npx switchyard show ${threadId}).`;
}
