import {
  DatabaseConflictError,
  DatabaseConnectionLostError,
  DatabaseReadOnlyError,
  DatabaseUnavailableError,
  DatabaseUnreachableError,
  DiskFullError,
  POSTGRES_READ_ONLY,
  SwitchyardError,
} from "../../errors.js";

/** The SQLSTATE of a server error, or the errno code of a socket error; "" otherwise. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Serialization failures and deadlocks: the server rolled the transaction back; trying again is safe. */
export function isConflict(error: unknown): boolean {
  const code = errorCode(error);
  return code === "40001" || code === "40P01";
}

const SOCKET_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED", "EHOSTUNREACH"]);

/** The connection itself failed: the client must not go back to the pool. */
export function isConnectionFailure(error: unknown): boolean {
  const code = errorCode(error);
  if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03") {
    return true;
  }
  if (SOCKET_CODES.has(code)) return true;
  return /connection terminated|not queryable|connection error|terminating connection/i.test(
    messageOf(error),
  );
}

/**
 * The server ended the session and said so in its answer to the statement (an administrator's
 * pg_terminate_backend, a shutdown, another backend's crash): the statement did not commit. A
 * connection that just broke (a reset, a timeout) gives no such answer, and leaves it unknown.
 */
export function endedBeforeCommit(error: unknown): boolean {
  return /^57P0[123]$/.test(errorCode(error));
}

/** Why a connection could not be made, and what to check, as a named error. */
export function connectFailure(
  error: unknown,
  where: string,
  threadId: string | undefined,
): DatabaseUnreachableError {
  const code = errorCode(error);
  const message = messageOf(error);
  const [reason, check] = ((): [string, string] => {
    switch (code) {
      case "ECONNREFUSED":
        return [
          "the connection was refused (nothing listens on that host and port)",
          "Check that PostgreSQL is running, that it listens on that address (listen_addresses, port) " +
            "and that the connection string names the right host and port.",
        ];
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return [
          "the host name does not resolve",
          "Check the host in the connection string and this machine's DNS.",
        ];
      case "28P01":
      case "28000":
        return [
          `the server refused the login (${message})`,
          "Check the user name and password in the connection string, and the server's pg_hba.conf.",
        ];
      case "3D000":
        return [
          message,
          "Check the database name in the connection string, or create it (createdb NAME).",
        ];
      case "53300":
        return [
          "the server has no connection slot left",
          "Lower the pool size of the processes that share the server (the checkpointer's max option), " +
            "or raise the server's max_connections.",
        ];
      case "57P03":
        return [
          "the server is starting up or shutting down",
          "Wait until it accepts connections, then try again.",
        ];
      default:
        if (/timeout/i.test(message)) {
          return [
            "no connection was made in time",
            "Check that the server is reachable from this machine (host, port, firewall); if it is, every " +
              "connection of the pool may be busy: raise the checkpointer's max or connectionTimeoutMs.",
          ];
        }
        return [message, "Check the connection string and that the server is up and reachable."];
    }
  })();
  return new DatabaseUnreachableError(where, threadId, reason, check);
}

/**
 * A failure of a statement or transaction as the named error a user can act on; anything else is
 * returned unchanged (a bug, which should surface as it is).
 */
export function storageFailure(
  error: unknown,
  where: string,
  threadId: string | undefined,
  context: { readonly committing: boolean; readonly attempts: number },
): unknown {
  if (error instanceof SwitchyardError) return error;
  const code = errorCode(error);
  if (isConflict(error)) {
    return new DatabaseConflictError(where, threadId, context.attempts, messageOf(error));
  }
  if (isConnectionFailure(error)) {
    const unknownOutcome = context.committing && !endedBeforeCommit(error);
    return new DatabaseConnectionLostError(where, threadId, messageOf(error), unknownOutcome);
  }
  if (code === "53100") return new DiskFullError(where, threadId);
  if (code === "25006") return new DatabaseReadOnlyError(where, threadId, POSTGRES_READ_ONLY);
  if (code === "42501") {
    return new DatabaseUnavailableError(
      where,
      `${messageOf(error)}: grant this role the rights on the Switchyard schema's tables`,
    );
  }
  return error;
}
