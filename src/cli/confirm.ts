import type { CliContext } from "./context.js";
import { CliError } from "./errors.js";

/**
 * Asks before a command deletes something: true with --yes; on a terminal (without --json) the
 * user is asked, defaulting to no; otherwise CONFIRMATION_REQUIRED (a usage error) saying to add
 * --yes. `what` says what would be deleted, e.g. "delete would delete 3 thread(s)".
 */
export async function confirmed(
  ctx: CliContext,
  yes: boolean | undefined,
  what: string,
): Promise<boolean> {
  if (yes === true) return true;
  if (!ctx.json && process.stdin.isTTY && process.stdout.isTTY) {
    const prompts = await import("@clack/prompts");
    const answer = await prompts.confirm({ message: `${what}. Go ahead?`, initialValue: false });
    return answer === true;
  }
  throw new CliError(
    "CONFIRMATION_REQUIRED",
    `${what}; there is no terminal to ask on. Add --yes to confirm.`,
    2,
  );
}
