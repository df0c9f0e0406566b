/** A mistake in how the CLI was called or what it was pointed at; printed without a stack trace. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** 2 for usage errors, 1 for everything else. */
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/**
 * A run stopped on a failed node: its outcome is printed, then `error` is reported and the CLI
 * exits with EXIT.failed.
 */
export class RunFailed extends Error {
  constructor(readonly error: unknown) {
    super("The run stopped on a failed node.");
    this.name = "RunFailed";
  }
}

/**
 * The process exit codes, documented in docs/cli.md. `paused` (waiting for a decision or at a
 * breakpoint) only with --exit-code; otherwise such a run exits `done`.
 */
export const EXIT = { done: 0, error: 1, usage: 2, paused: 3, failed: 4 } as const;
