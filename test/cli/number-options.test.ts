// `switchyard worker` and `switchyard serve` refuse a numeric option they cannot use before they
// connect to anything: a usage error (exit 2) with the option's code, naming the option in its own
// unit (and what 0 means), without a stack.
import { describe, expect, it } from "vitest";
import { freePort } from "../support/postgres-cluster.js";
import { FIXTURE_GRAPHS, runCli, STACK_FRAME } from "./run-cli.js";

/** `switchyard --graphs <fixtures> <command> --postgres <a port nothing listens on> ...args`. */
async function fleetCommand(command: "worker" | "serve", args: readonly string[]) {
  const port = await freePort();
  return runCli([
    ...["--graphs", FIXTURE_GRAPHS, command],
    ...["--postgres", `postgres://app@127.0.0.1:${port}/fleet`, ...args],
  ]);
}

describe("switchyard worker and serve: numeric options", () => {
  it("a worker without a database: POSTGRES_REQUIRED saying how to give one", async () => {
    const result = await runCli(["--graphs", FIXTURE_GRAPHS, "worker"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error POSTGRES_REQUIRED: ");
    expect(result.stderr).toContain("SWITCHYARD_POSTGRES");
    expect(result.stderr).not.toMatch(STACK_FRAME);
  }, 60_000);

  it.each([
    [
      "worker",
      ["--concurrency", "0"],
      "INVALID_OPTION: --concurrency must be a whole number above 0",
    ],
    [
      "worker",
      ["--drain-seconds", "soon"],
      "INVALID_OPTION: --drain-seconds must be a number of seconds (0 hands runs in flight back at once)",
    ],
    [
      "worker",
      ["--lease-seconds", "0"],
      "INVALID_LEASE: --lease-seconds must be a positive number of seconds",
    ],
    [
      "worker",
      ["--keep-events-days", "-1"],
      "INVALID_OPTION: --keep-events-days must be a number of days (0 keeps them)",
    ],
    [
      "worker",
      ["--delete-threads-after-days", "x"],
      "INVALID_OPTION: --delete-threads-after-days must be a number of days",
    ],
    [
      "serve",
      ["--sweep-every", "-1"],
      "INVALID_SWEEP_INTERVAL: --sweep-every must be a number of seconds (0 turns deadline sweeps off)",
    ],
    [
      "serve",
      ["--rate-limit", "1.5"],
      "INVALID_RATE_LIMIT: --rate-limit must be a whole number of requests per minute (0 turns it off)",
    ],
    [
      "serve",
      ["--lease-seconds", "0"],
      "INVALID_LEASE: --lease-seconds must be a positive number of seconds",
    ],
    [
      "serve",
      ["--run-timeout", "x"],
      "INVALID_OPTION: --run-timeout must be a number of seconds (0 turns it off)",
    ],
    [
      "serve",
      ["--keep-run-events", "-2"],
      "INVALID_OPTION: --keep-run-events must be a number of days (0 turns it off)",
    ],
  ] as const)(
    "%s %j: %s",
    async (command, args, message) => {
      const result = await fleetCommand(command, args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`error ${message}, got "${args[1]}".`);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    },
    60_000,
  );
});
