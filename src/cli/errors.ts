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

/** The process exit codes, documented in docs/cli.md. */
export const EXIT = { done: 0, error: 1, usage: 2, paused: 3 } as const;
