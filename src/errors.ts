/**
 * Every failure a user can cause is one of these classes. Each carries a stable `code` (safe to
 * switch on, never reworded) and a message that says what happened, where, and what to do.
 * Control-flow signals (interrupts, parent commands) are deliberately not in this hierarchy.
 */
export abstract class SwitchyardError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

function quoteList(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(", ");
}

// ---------------------------------------------------------------- graph definition

/** A node name is declared twice. */
export class DuplicateNodeError extends SwitchyardError {
  readonly code = "DUPLICATE_NODE";
  constructor(readonly node: string) {
    super(`Node "${node}" is already defined. Give each node a unique name.`);
  }
}

/** A node name is reserved or collides with a state key. */
export class InvalidNodeNameError extends SwitchyardError {
  readonly code = "INVALID_NODE_NAME";
  constructor(
    readonly node: string,
    reason: string,
  ) {
    super(`Node name "${node}" is not allowed: ${reason}. Rename the node.`);
  }
}

/** `addNode` was given something that cannot run. */
export class InvalidNodeError extends SwitchyardError {
  readonly code = "INVALID_NODE";
  constructor(message: string) {
    super(message);
  }
}

/** An edge, path map, breakpoint, `Command.goto` or `Send` names a node the graph does not have. */
export class UnknownNodeError extends SwitchyardError {
  readonly code = "UNKNOWN_NODE";
  constructor(
    readonly node: string,
    where: string,
    known: readonly string[],
  ) {
    super(
      `${where} refers to unknown node "${node}". Known nodes: ${known.length ? quoteList(known) : "(none)"}. ` +
        `Add the node with addNode() or fix the name.`,
    );
  }
}

/** An edge that can never be valid, such as one leaving END or entering START. */
export class InvalidEdgeError extends SwitchyardError {
  readonly code = "INVALID_EDGE";
  constructor(message: string) {
    super(message);
  }
}

/** Nothing leaves START, so the graph has no first step. */
export class NoEntryPointError extends SwitchyardError {
  readonly code = "NO_ENTRY_POINT";
  constructor() {
    super(
      `The graph has no entry point. Add an edge from START, e.g. addEdge(START, "firstNode").`,
    );
  }
}

/** A node no edge, path map or `ends` declaration can reach from START. */
export class UnreachableNodeError extends SwitchyardError {
  readonly code = "UNREACHABLE_NODE";
  constructor(readonly nodes: readonly string[]) {
    super(
      `Node${nodes.length > 1 ? "s" : ""} ${quoteList(nodes)} cannot be reached from START: no edge, path map ` +
        `or "ends" option leads there. Add an edge, or if a Command reaches it, list it in the source node's ` +
        `addNode(name, fn, { ends: [...] }).`,
    );
  }
}

/** A barrier join (`addEdge([a, b], c)`) one of whose sources can only run after the join. */
export class UnsatisfiableBarrierError extends SwitchyardError {
  readonly code = "UNSATISFIABLE_BARRIER";
  constructor(
    readonly target: string,
    readonly source: string,
  ) {
    super(
      `Node "${target}" waits for "${source}", but "${source}" can only run after "${target}" itself, ` +
        `so "${target}" would wait forever. Remove "${source}" from the join or change the edges.`,
    );
  }
}

/** A state schema that is not a zod object, or a malformed reducer declaration. */
export class InvalidSchemaError extends SwitchyardError {
  readonly code = "INVALID_SCHEMA";
  constructor(message: string) {
    super(message);
  }
}

// ---------------------------------------------------------------- running

/** An input or node update that does not match the state schema. Nothing was applied. */
export class InvalidUpdateError extends SwitchyardError {
  readonly code = "INVALID_UPDATE";
  constructor(
    readonly node: string,
    readonly key: string | undefined,
    problem: string,
  ) {
    const who = node === "__start__" ? "The input" : `The update from node "${node}"`;
    const where = key === undefined ? "" : ` at key "${key}"`;
    super(
      `${who} is invalid${where}: ${problem}. Nothing was applied; fix the value and run again.`,
    );
  }
}

/** The first input of a thread (or of a run without a checkpointer) lacks keys the schema requires. */
export class MissingInputError extends SwitchyardError {
  readonly code = "MISSING_INPUT";
  constructor(
    readonly keys: readonly string[],
    readonly threadId: string | undefined,
  ) {
    const what =
      threadId === undefined ? "The run's input" : `The first input of thread "${threadId}"`;
    super(
      `${what} lacks the required state key${keys.length > 1 ? "s" : ""} ${quoteList(keys)}, which no node could ` +
        `read. Give ${keys.length > 1 ? "them" : "it"} in the input, or make ${keys.length > 1 ? "them" : "it"} ` +
        `optional or give ${keys.length > 1 ? "them" : "it"} a default in the schema. Nothing was stored.`,
    );
  }
}

/** Two tasks wrote the same last-value key in one superstep. */
export class ConcurrentUpdateError extends SwitchyardError {
  readonly code = "CONCURRENT_UPDATE";
  constructor(
    readonly key: string,
    readonly nodes: readonly string[],
    readonly step: number,
    readonly threadId?: string,
  ) {
    const unique = [...new Set(nodes)];
    const writers =
      unique.length === 1
        ? `several tasks of "${unique[0]}"`
        : `${quoteList(unique.slice(0, -1))} and "${unique.at(-1)}"`;
    const where = threadId === undefined ? "" : ` on thread "${threadId}"`;
    const then =
      threadId === undefined
        ? ""
        : ` Then continue the thread with invoke(null, config) (a reducer changes the graph's version: pass ` +
          `{ allowGraphChange: true } or register a migration); continuing unchanged fails the same way.`;
    super(
      `Key "${key}" was written by ${writers} in the same superstep (step ${step})${where}, but it keeps ` +
        `only one value. Declare it with reducer(...) to combine the writes, or let only one node write it.${then}`,
    );
  }

  /** The same error, naming the thread the superstep belongs to. */
  onThread(threadId: string | undefined): ConcurrentUpdateError {
    return new ConcurrentUpdateError(this.key, this.nodes, this.step, threadId);
  }
}

/** The run used up its superstep budget. */
export class RecursionLimitError extends SwitchyardError {
  readonly code = "RECURSION_LIMIT";
  constructor(
    readonly limit: number,
    readonly threadId: string | undefined,
  ) {
    super(
      `Recursion limit of ${limit} supersteps reached without reaching END${threadId ? ` on thread "${threadId}"` : ""}. ` +
        `If the loop is intended, pass a larger { recursionLimit } in the config; otherwise check the graph's exit condition.`,
    );
  }
}

/** A node failed after its last retry. `cause` holds the node's own error. */
export class NodeFailedError extends SwitchyardError {
  readonly code = "NODE_FAILED";
  constructor(
    readonly node: string,
    readonly step: number,
    readonly threadId: string | undefined,
    readonly attempts: number,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
    const thread = threadId ? ` on thread "${threadId}"` : "";
    const next = threadId
      ? ` Fix the cause and call invoke(null, config) to re-run only the unfinished tasks.`
      : "";
    super(`Node "${node}" failed at step ${step}${thread}${tries}: ${reason}.${next}`, { cause });
  }
}

/** A node ran longer than its `timeoutMs`. */
export class NodeTimeoutError extends SwitchyardError {
  readonly code = "NODE_TIMEOUT";
  constructor(
    readonly node: string,
    readonly timeoutMs: number,
    readonly step: number,
    readonly threadId: string | undefined,
  ) {
    super(
      `Node "${node}" did not finish within ${timeoutMs} ms at step ${step}${threadId ? ` on thread "${threadId}"` : ""} ` +
        `and was aborted. Raise its { timeoutMs } or give it a retryPolicy.`,
    );
  }
}

/** The caller's `signal` aborted the run. The interrupted superstep was not checkpointed. */
export class CancelledError extends SwitchyardError {
  readonly code = "CANCELLED";
  constructor(
    readonly step: number,
    readonly threadId: string | undefined,
  ) {
    super(
      `The run was cancelled at step ${step}${threadId ? ` on thread "${threadId}"` : ""}. The unfinished superstep ` +
        `was not checkpointed${threadId ? "; invoke(null, config) continues from the last checkpoint" : ""}.`,
    );
  }
}

/** A node returned something that is neither an update object, a Command nor nothing. */
export class InvalidNodeOutputError extends SwitchyardError {
  readonly code = "INVALID_NODE_OUTPUT";
  constructor(
    readonly node: string,
    got: string,
  ) {
    super(
      `Node "${node}" returned ${got}. A node must return an object of state updates, a Command, or nothing.`,
    );
  }
}

/** A router returned something that is not a node name, END, a Send, or a list of these. */
export class InvalidRouteError extends SwitchyardError {
  readonly code = "INVALID_ROUTE";
  constructor(
    readonly node: string,
    message: string,
  ) {
    super(`The conditional edge from "${node}" ${message}`);
  }
}

/** A node returned `Command({ graph: Command.PARENT })` in a graph that is not a subgraph. */
export class NoParentGraphError extends SwitchyardError {
  readonly code = "NO_PARENT_GRAPH";
  constructor(
    readonly node: string,
    readonly threadId: string | undefined,
  ) {
    const thread = threadId === undefined ? "" : ` on thread "${threadId}"`;
    super(
      `Node "${node}"${thread} returned Command({ graph: Command.PARENT }), but its graph was not invoked as a subgraph, so there is no parent to route in. ` +
        `Return the Command without \`graph\` to route in this graph, or add this graph to a parent with addNode(name, compiledGraph). Nothing of this superstep was applied.`,
    );
  }
}

/** A run config that cannot work, e.g. a non-positive recursion limit. */
export class InvalidConfigError extends SwitchyardError {
  readonly code = "INVALID_CONFIG";
  constructor(message: string) {
    super(message);
  }
}

/** A thread operation on a graph compiled without a checkpointer. */
export class NoCheckpointerError extends SwitchyardError {
  readonly code = "NO_CHECKPOINTER";
  constructor(operation: string) {
    super(
      `${operation} needs a checkpointer. Compile the graph with { checkpointer: new MemoryCheckpointer() } ` +
        `(or a SqliteCheckpointer) and pass { configurable: { thread_id } }.`,
    );
  }
}

/** A thread operation without `configurable.thread_id`. */
export class MissingThreadIdError extends SwitchyardError {
  readonly code = "MISSING_THREAD_ID";
  constructor(operation: string) {
    super(
      `${operation} needs a thread: pass { configurable: { thread_id: "..." } } in the config.`,
    );
  }
}

/** `checkpoint_id` names a checkpoint the thread does not have. */
export class CheckpointNotFoundError extends SwitchyardError {
  readonly code = "CHECKPOINT_NOT_FOUND";
  constructor(
    readonly threadId: string,
    readonly checkpointId: string,
  ) {
    super(
      `Thread "${threadId}" has no checkpoint "${checkpointId}". List its checkpoints with getStateHistory(config).`,
    );
  }
}

/** `invoke(null)` on a thread with nothing to continue. */
export class EmptyInputError extends SwitchyardError {
  readonly code = "EMPTY_INPUT";
  constructor(threadId: string | undefined) {
    super(
      threadId
        ? `Thread "${threadId}" has no checkpoint to continue from. Start it with an input object.`
        : `The input is empty. Pass an input object, or a thread_id (with a checkpointer) to continue a run.`,
    );
  }
}

/** `Command({ resume })` when nothing is waiting for a resume value. */
export class InvalidResumeError extends SwitchyardError {
  readonly code = "INVALID_RESUME";
  constructor(message: string) {
    super(message);
  }
}

/** `updateState` cannot tell which node the update should be attributed to. */
export class AmbiguousUpdateError extends SwitchyardError {
  readonly code = "AMBIGUOUS_UPDATE";
  constructor(candidates: readonly string[]) {
    super(
      `updateState() cannot tell which node the update comes from (last step ran ${quoteList(candidates)}). ` +
        `Pass asNode explicitly: updateState(config, values, "nodeName").`,
    );
  }
}

/** A value the checkpointer cannot store (a function, a class instance it does not know, a cycle). */
export class SerializationError extends SwitchyardError {
  readonly code = "UNSERIALIZABLE_VALUE";
  constructor(
    readonly path: string,
    readonly what: string,
    /** The node whose update held the value, when known. */
    readonly node?: string,
  ) {
    const by =
      node === undefined
        ? ""
        : node === "__start__"
          ? " in the input"
          : ` written by node "${node}"`;
    super(
      `Cannot store ${what} at ${path}${by}. State values must be JSON-like data, Date, Map, Set, Uint8Array, ` +
        `BigInt or @langchain/core messages. Nothing was written.`,
    );
  }

  /** The same error, naming the node whose update held the value. */
  forNode(node: string): SerializationError {
    return new SerializationError(this.path, this.what, node);
  }
}

// ---------------------------------------------------------------- storage

/** The file exists but is not a Switchyard database; it was not modified. */
export class NotASwitchyardDatabaseError extends SwitchyardError {
  readonly code = "NOT_A_SWITCHYARD_DATABASE";
  constructor(readonly path: string) {
    super(
      `"${path}" is not a Switchyard database (it holds other data or is not SQLite). It was left untouched; ` +
        `point --db / SqliteCheckpointer at a new or existing Switchyard file.`,
    );
  }
}

/**
 * The database (a SQLite file, or a Postgres schema) was written by a newer Switchyard whose
 * schema this version cannot read.
 */
export class DatabaseTooNewError extends SwitchyardError {
  readonly code = "DATABASE_TOO_NEW";
  constructor(
    readonly path: string,
    readonly fileVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `"${path}" uses database schema ${fileVersion}, but this Switchyard reads up to schema ${supportedVersion}. ` +
        `Upgrade Switchyard (every process that shares this database); it was not modified.`,
    );
  }
}

/** The database file cannot be opened or read (missing folder permissions, corruption, a lock). */
export class DatabaseUnavailableError extends SwitchyardError {
  readonly code = "DATABASE_UNAVAILABLE";
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Cannot use the database "${path}": ${reason}.`);
  }
}

// ---------------------------------------------------------------- threads

/** Another run (in this or another process) holds the thread. */
export class ThreadBusyError extends SwitchyardError {
  readonly code = "THREAD_BUSY";
  constructor(
    readonly threadId: string,
    expiresAt: Date,
  ) {
    super(
      `Thread "${threadId}" is busy: another run holds it (its lease runs until ${expiresAt.toISOString()} unless renewed). ` +
        `Wait for that run to finish and try again; a lease left by a killed process expires on its own.`,
    );
  }
}

/** The run lost its hold on the thread (it expired and was taken over, or the thread was deleted). */
export class LeaseLostError extends SwitchyardError {
  readonly code = "LEASE_LOST";
  constructor(
    readonly threadId: string,
    refused = "its write was refused",
  ) {
    super(
      `This run no longer holds thread "${threadId}" (its lease expired and another run took over, or the thread ` +
        `was deleted), so ${refused}. Check getState() and continue from there.`,
    );
  }
}

/** The thread was started by a structurally different graph. */
export class GraphVersionMismatchError extends SwitchyardError {
  readonly code = "GRAPH_VERSION_MISMATCH";
  constructor(
    readonly threadId: string,
    readonly stored: { readonly name: string; readonly version: string },
    readonly current: { readonly name: string; readonly version: string },
  ) {
    super(
      `Thread "${threadId}" was started by graph "${stored.name}" version ${stored.version}, but this graph is ` +
        `"${current.name}" version ${current.version} (nodes, edges or state keys changed). Register a migration ` +
        `with compile({ migrations: { "${stored.version}": (state) => state } }), or pass { allowGraphChange: true } ` +
        `in the config to continue anyway.`,
    );
  }
}

/**
 * A graph invoked from inside a node was resumed with another structure than the one it started
 * with (the parent's version does not include it: its structure does not name the child).
 */
export class SubgraphVersionMismatchError extends SwitchyardError {
  readonly code = "SUBGRAPH_VERSION_MISMATCH";
  constructor(
    readonly threadId: string,
    /** The path of the node that invoked the child (parent node › child node for nested ones). */
    readonly node: string,
    readonly stored: { readonly name: string; readonly version: string },
    readonly current: { readonly name: string; readonly version: string },
  ) {
    super(
      `The graph "${stored.name}" invoked by node "${node}" on thread "${threadId}" is in flight on version ` +
        `${stored.version}, but the graph invoked now is "${current.name}" version ${current.version} (nodes, ` +
        `edges or state keys changed). Nothing was changed: continue the thread with the graph it started, or ` +
        `pass { allowGraphChange: true } in the config to continue the child on the new structure.`,
    );
  }
}

/** A thread operation named a thread that has no checkpoints. */
export class ThreadNotFoundError extends SwitchyardError {
  readonly code = "THREAD_NOT_FOUND";
  constructor(readonly threadId: string) {
    super(`Thread "${threadId}" does not exist (it has no checkpoints). Check the thread id.`);
  }
}

/** A copy would overwrite an existing thread. */
export class ThreadExistsError extends SwitchyardError {
  readonly code = "THREAD_EXISTS";
  constructor(readonly threadId: string) {
    super(
      `Thread "${threadId}" already exists. Copy into a new thread id, or delete that thread first.`,
    );
  }
}

// ---------------------------------------------------------------- human in the loop

/** `interrupt()` or `ctx.step()` called outside a running node. */
export class OutsideNodeError extends SwitchyardError {
  readonly code = "OUTSIDE_NODE";
  constructor(call: string) {
    super(
      `${call} can only be called while a node runs (inside the node function, or code it awaits).`,
    );
  }
}

/** Two durable steps with the same name in one node execution. */
export class DuplicateStepError extends SwitchyardError {
  readonly code = "DUPLICATE_STEP";
  constructor(
    readonly node: string,
    readonly step: string,
  ) {
    super(
      `Node "${node}" ran the durable step "${step}" twice in one execution. Give each ctx.step() call in a ` +
        `node its own name, e.g. \`send-email-\${recipient}\`.`,
    );
  }
}

/** `ctx.step()` called by a node attempt the engine no longer waits for: the step did not run. */
export class AttemptAbandonedError extends SwitchyardError {
  readonly code = "ATTEMPT_ABANDONED";
  constructor(
    readonly node: string,
    readonly attempt: number,
    readonly why: string,
  ) {
    super(
      `Node "${node}" (attempt ${attempt}) called ctx.step() after the engine stopped waiting for that attempt ` +
        `(${why}), so the step was not run; the attempt the engine waits for runs it. Let the node stop when ` +
        `ctx.signal aborts, and await every ctx.step() before the node returns.`,
    );
  }
}

/** New input for a thread that is waiting for a human. */
export class ThreadInterruptedError extends SwitchyardError {
  readonly code = "THREAD_INTERRUPTED";
  constructor(
    readonly threadId: string,
    readonly interruptIds: readonly string[],
  ) {
    super(
      `Thread "${threadId}" is waiting on interrupt${interruptIds.length > 1 ? "s" : ""} ${interruptIds.join(", ")}. ` +
        `Resume with invoke(new Command({ resume }), config), or pass { discardInterrupts: true } in the config to ` +
        `drop them and start over with the new input.`,
    );
  }
}

/** An interrupt was answered with a rejection (a deadline's `onTimeout: { reject }`). */
export class InterruptRejectedError extends SwitchyardError {
  readonly code = "INTERRUPT_REJECTED";
  constructor(
    readonly node: string,
    readonly interruptId: string,
    readonly reason: string,
  ) {
    super(
      `Interrupt ${interruptId} of node "${node}" was rejected: ${reason}. Catch INTERRUPT_REJECTED in the node ` +
        `to handle it (approval() does this for you).`,
    );
  }
}

// ---------------------------------------------------------------- deadlines, interrupts kept (H4)

/** A human answered an interrupt after its deadline, when its `onTimeout` applies instead. */
export class DeadlinePassedError extends SwitchyardError {
  readonly code = "DEADLINE_PASSED";
  constructor(
    readonly threadId: string,
    readonly interruptId: string,
    readonly node: string,
    readonly deadline: string,
    /** What `onTimeout` does, e.g. `reject: "no decision in 3 days"`. */
    readonly onTimeout: string,
  ) {
    super(
      `Interrupt ${interruptId} of node "${node}" on thread "${threadId}" passed its deadline ${deadline}; ` +
        `its onTimeout (${onTimeout}) applies instead of an answer. The answer was not taken and the thread ` +
        `still waits: run sweepExpired() (CLI: switchyard sweep) to apply the timeout.`,
    );
  }
}

/** An updateState or a graph migration would drop interrupts that wait for a human. */
export class InterruptsDroppedError extends SwitchyardError {
  readonly code = "INTERRUPTS_DROPPED";
  constructor(
    readonly threadId: string,
    /** What would drop them, e.g. `updateState as node "review"`. */
    readonly operation: string,
    readonly interrupts: ReadonlyArray<{ readonly id: string; readonly node: string }>,
  ) {
    const list = interrupts.map((entry) => `${entry.id} (node "${entry.node}")`).join(", ");
    super(
      `${operation} on thread "${threadId}" would drop the waiting interrupt${interrupts.length > 1 ? "s" : ""} ` +
        `${list}: their node would no longer run. Answer them first with Command({ resume }), or pass ` +
        `{ discardInterrupts: true } in the config to drop them.`,
    );
  }
}

// ---------------------------------------------------------------- storage failures while open

/** Where a storage failure happened, for its message: the database, and the thread if known. */
function storageWhere(path: string, threadId: string | undefined): string {
  return threadId === undefined
    ? `the database "${path}"`
    : `thread "${threadId}" in the database "${path}"`;
}

const NOTHING_LOST =
  "The transaction was rolled back: the thread is as it was at its last stored write, and nothing committed was lost";

/**
 * Another connection held the database's write lock for longer than the busy timeout. The write
 * was not made; waiting happened without blocking the event loop.
 */
export class DatabaseBusyError extends SwitchyardError {
  readonly code = "DATABASE_BUSY";
  constructor(
    readonly path: string,
    readonly threadId: string | undefined,
    readonly waitedMs: number,
  ) {
    super(
      `Another process kept ${storageWhere(path, threadId)} locked for ${waitedMs} ms, so this process gave ` +
        `up waiting. ${NOTHING_LOST}. Find what holds a long write transaction on that file (another ` +
        `process, a sqlite3 shell inside BEGIN) and retry, or raise SqliteCheckpointer's busyTimeoutMs.`,
    );
  }
}

/** The disk (or the database's size limit) is full. The write was rolled back. */
export class DiskFullError extends SwitchyardError {
  readonly code = "DISK_FULL";
  constructor(
    readonly path: string,
    readonly threadId: string | undefined,
  ) {
    super(
      `A write to ${storageWhere(path, threadId)} failed: the disk (or the database's size limit) is full. ` +
        `${NOTHING_LOST}. Free disk space, then continue the thread (invoke(null, config), or ` +
        `switchyard continue).`,
    );
  }
}

/** What makes a SQLite file read-only for a process, and the way out. */
const SQLITE_READ_ONLY =
  "it is read-only for this process (file or folder permissions, a read-only mount, or a read-only " +
  "connection). Reading still works. To run, resume or delete, give this user write access to the " +
  "file, its folder and its -wal and -shm files";

/** What makes a Postgres database refuse writes, and the way out. */
export const POSTGRES_READ_ONLY =
  "the server refuses writes (a hot standby, or sessions made read-only by " +
  "default_transaction_read_only). Reading still works. To run, resume or delete, point the " +
  "connection string at the primary, or turn default_transaction_read_only off for this role or database";

/** The database can be read but not written by this process. */
export class DatabaseReadOnlyError extends SwitchyardError {
  readonly code = "DATABASE_READ_ONLY";
  constructor(
    readonly path: string,
    readonly threadId: string | undefined,
    why: string = SQLITE_READ_ONLY,
  ) {
    super(`Cannot write to ${storageWhere(path, threadId)}: ${why}. ${NOTHING_LOST}.`);
  }
}

/**
 * The database file (or its -wal file) was deleted, moved or replaced while this process had it
 * open: writing on would go into a file nobody else sees, so the write was refused.
 */
export class DatabaseReplacedError extends SwitchyardError {
  readonly code = "DATABASE_REPLACED";
  constructor(
    readonly path: string,
    readonly threadId: string | undefined,
    what: string,
  ) {
    super(
      `${what} while this process had it open, so the write to ${storageWhere(path, threadId)} was ` +
        `refused (it would have gone to a file no other process sees). Restore the file from a backup if ` +
        `it was removed by mistake, then restart this process. Never delete, move or replace the ` +
        `database or its -wal file while a process uses it.`,
    );
  }
}

/**
 * A Postgres server could not be reached or refused this connection: nothing was read or written.
 * `reason` says what the server or the network answered, `check` what to look at.
 */
export class DatabaseUnreachableError extends SwitchyardError {
  readonly code = "DATABASE_UNREACHABLE";
  constructor(
    readonly path: string,
    readonly threadId: string | undefined,
    readonly reason: string,
    check: string,
  ) {
    super(`Cannot connect to ${storageWhere(path, threadId)}: ${reason}. ${check}`);
  }
}

/**
 * The connection to the Postgres server broke during an operation (the server restarted, an
 * administrator ended the session, the network dropped). The transaction was rolled back, unless
 * `duringCommit`: then whether it was stored is unknown.
 */
export class DatabaseConnectionLostError extends SwitchyardError {
  readonly code = "DATABASE_CONNECTION_LOST";
  constructor(
    readonly path: string,
    readonly threadId: string | undefined,
    readonly reason: string,
    /** True when the connection broke while COMMIT was under way: the write may or may not be stored. */
    readonly duringCommit: boolean,
  ) {
    super(
      `The connection to ${storageWhere(path, threadId)} was lost (${reason}). ` +
        (duringCommit
          ? `It broke while the transaction was committing, so the write may or may not be stored: ` +
            `check getState() (or switchyard show) before writing again. `
          : `${NOTHING_LOST}. `) +
        `Check that the server is up and reachable (a restart, a failover, pg_terminate_backend, an idle ` +
        `timeout in a proxy), then continue the thread (invoke(null, config), or switchyard continue).`,
    );
  }
}

/**
 * Concurrent transactions kept conflicting (serialization failures or deadlocks) on a Postgres
 * database, and the write still failed after `attempts` tries with growing pauses.
 */
export class DatabaseConflictError extends SwitchyardError {
  readonly code = "DATABASE_CONFLICT";
  constructor(
    readonly path: string,
    readonly threadId: string | undefined,
    readonly attempts: number,
    reason: string,
  ) {
    super(
      `A transaction on ${storageWhere(path, threadId)} conflicted with concurrent ones ${attempts} ` +
        `time${attempts === 1 ? "" : "s"} in a row (${reason}). ${NOTHING_LOST}. Retry; if it keeps ` +
        `happening, look for long transactions on the same thread (pg_stat_activity) or raise the ` +
        `checkpointer's conflictRetries.`,
    );
  }
}

/** A read-only command was pointed at a Postgres database that has no Switchyard tables. */
export class SchemaNotFoundError extends SwitchyardError {
  readonly code = "SCHEMA_NOT_FOUND";
  constructor(
    readonly path: string,
    readonly schema: string,
  ) {
    super(
      `The database ${path} has no Switchyard tables (schema "${schema}"); nothing was created. Check ` +
        `the connection string and the schema name, or run a graph against it first ` +
        `(switchyard --postgres URL run <graph>).`,
    );
  }
}

/** True for the failures above: the storage, not the graph, stopped the run. */
export function isStorageFailure(error: unknown): boolean {
  return (
    error instanceof DatabaseBusyError ||
    error instanceof DiskFullError ||
    error instanceof DatabaseReadOnlyError ||
    error instanceof DatabaseReplacedError ||
    error instanceof DatabaseUnreachableError ||
    error instanceof DatabaseConnectionLostError ||
    error instanceof DatabaseConflictError
  );
}

/** A thread id that is empty (or only spaces): it could name no thread. */
export class InvalidThreadIdError extends SwitchyardError {
  readonly code = "INVALID_THREAD_ID";
  constructor(operation: string) {
    super(
      `${operation} was given an empty thread id. Pass a non-empty { configurable: { thread_id } } ` +
        `(the CLI: --thread ID).`,
    );
  }
}

// ---------------------------------------------------------------- the command line

/** A command that reads threads was pointed at a database file that does not exist. */
export class DatabaseNotFoundError extends SwitchyardError {
  readonly code = "DATABASE_NOT_FOUND";
  constructor(
    readonly path: string,
    /** How the path was chosen, e.g. "--db", or the project folder it was found from. */
    readonly foundBy: string,
  ) {
    super(
      `No Switchyard database at ${path} (${foundBy}); nothing was created. Run a graph first ` +
        `(switchyard run <graph>), run from inside your project, or point --db / SWITCHYARD_DB at your database.`,
    );
  }
}

/** A graph file's `buildGraph()` threw. `cause` holds its error. */
export class GraphBuildFailedError extends SwitchyardError {
  readonly code = "GRAPH_BUILD_FAILED";
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `buildGraph() in ${file} threw: ${reason}. Fix the graph file (--verbose shows where it threw).`,
      { cause },
    );
  }
}

// ---------------------------------------------------------------- server

/** A request to `switchyard serve` named an assistant (graph) the server does not have. */
export class AssistantNotFoundError extends SwitchyardError {
  readonly code = "ASSISTANT_NOT_FOUND";
  constructor(
    readonly assistantId: string,
    known: readonly string[],
  ) {
    super(
      `No assistant "${assistantId}". Assistants are the graphs the server was started with: ` +
        `${known.length ? quoteList(known) : "(none)"}.`,
    );
  }
}

/** A request named a run the thread does not have. */
export class RunNotFoundError extends SwitchyardError {
  readonly code = "RUN_NOT_FOUND";
  constructor(
    readonly threadId: string,
    readonly runId: string,
  ) {
    super(
      `Thread "${threadId}" has no run "${runId}". List its runs with GET /threads/${threadId}/runs.`,
    );
  }
}

/** A request body or query the server cannot accept. */
export class InvalidRequestError extends SwitchyardError {
  readonly code = "INVALID_REQUEST";
  constructor(message: string) {
    super(message);
  }
}

/** A server run ran longer than the server's run timeout: it was stopped at its last checkpoint. */
export class RunTimeoutError extends SwitchyardError {
  readonly code = "RUN_TIMEOUT";
  constructor(
    readonly threadId: string,
    readonly runId: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Run "${runId}" on thread "${threadId}" ran longer than the server's run timeout ` +
        `(${timeoutMs / 1000} s) and was stopped at its last checkpoint (status "timeout"). ` +
        `Start a run without input to continue the thread, or serve with a longer --run-timeout.`,
    );
  }
}

/** A run was started (or the state updated) while another run of the server is active on the thread. */
export class RunInProgressError extends SwitchyardError {
  readonly code = "RUN_IN_PROGRESS";
  constructor(
    readonly threadId: string,
    readonly runId: string,
  ) {
    super(
      `Thread "${threadId}" is busy with run "${runId}". Wait for it (GET /threads/${threadId}/runs/${runId}/join), ` +
        `cancel it, or start the run with multitask_strategy "enqueue" or "interrupt".`,
    );
  }
}

/** The server has API keys and the request carried none, or a wrong one. */
export class UnauthorizedError extends SwitchyardError {
  readonly code = "UNAUTHORIZED";
  constructor() {
    super("This server requires an API key: send it in the x-api-key header.");
  }
}

/** A path and method the server does not implement. */
export class EndpointNotFoundError extends SwitchyardError {
  readonly code = "ENDPOINT_NOT_FOUND";
  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super(
      `${method} ${path} is not an endpoint of this server. See docs/server.md for what is implemented.`,
    );
  }
}

/** A request option of LangGraph's API that this server does not implement yet. */
export class UnsupportedOptionError extends SwitchyardError {
  readonly code = "UNSUPPORTED_OPTION";
  constructor(option: string, supported: string) {
    super(`${option} is not supported by this server yet. ${supported}`);
  }
}

/** `switchyard serve` was asked to listen beyond loopback without API keys. */
export class UnsafeBindError extends SwitchyardError {
  readonly code = "UNSAFE_BIND";
  constructor(readonly host: string) {
    super(
      `Refusing to listen on "${host}" without API keys: anyone who can reach it could run and answer ` +
        `workflows. Set SWITCHYARD_API_KEYS="name=key,..." or listen on 127.0.0.1.`,
    );
  }
}

/** An API key made more requests than the server's rate limit allows. */
export class RateLimitedError extends SwitchyardError {
  readonly code = "RATE_LIMITED";
  constructor(
    readonly actor: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `Too many requests with the key of "${actor}". Retry after ${retryAfterSeconds} s (the Retry-After header).`,
    );
  }
}

/** A request body larger than the server accepts. */
export class PayloadTooLargeError extends SwitchyardError {
  readonly code = "PAYLOAD_TOO_LARGE";
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes, the most this server accepts.`);
  }
}

// ---------------------------------------------------------------- governance

/** A run or thread spent more on model calls than its budget allows. */
export class BudgetExceededError extends SwitchyardError {
  readonly code = "BUDGET_EXCEEDED";
  constructor(
    readonly scope: "run" | "thread",
    readonly measure: "tokens" | "cost",
    readonly limit: number,
    readonly spent: number,
    readonly node: string,
    readonly step: number,
    readonly threadId: string | undefined,
  ) {
    const where = threadId === undefined ? "" : ` on thread "${threadId}"`;
    const amount = (value: number) => (measure === "tokens" ? `${value} tokens` : `${value}`);
    super(
      `The ${scope} budget of ${amount(limit)} ${measure === "cost" ? "(cost) " : ""}is exceeded by ` +
        `${amount(round(spent - limit))} (${amount(round(spent))} spent); stopped before node "${node}" ` +
        `at superstep ${step}${where}. Raise budget.${scope}.${measure} (compile({ budget }) or the ` +
        `run's config) and continue the thread with invoke(null, config).`,
    );
  }
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** A node's input or output failed one of its guardrail checks (`addNode(..., { guard })`). */
export class GuardrailFailedError extends SwitchyardError {
  readonly code = "GUARDRAIL_FAILED";
  constructor(
    readonly node: string,
    readonly check: "input" | "output",
    readonly reason: string,
    readonly step: number,
    readonly threadId: string | undefined,
  ) {
    const where = threadId === undefined ? "" : ` on thread "${threadId}"`;
    super(
      `The ${check} of node "${node}" failed its guardrail at superstep ${step}${where}: ${reason}. ` +
        `Fix the ${check === "input" ? "state the node receives" : "node"} or its check, or route ` +
        `failures to a person with guard: { onFail: "review" }.`,
    );
  }
}

/** A person reviewing a guardrail failure rejected the node's input or output. */
export class ReviewRejectedError extends SwitchyardError {
  readonly code = "REVIEW_REJECTED";
  constructor(
    readonly node: string,
    readonly check: "input" | "output",
    readonly reason: string,
    readonly step: number,
    readonly threadId: string | undefined,
  ) {
    const where = threadId === undefined ? "" : ` on thread "${threadId}"`;
    super(
      `A reviewer rejected the ${check} of node "${node}" at superstep ${step}${where}: ${reason}. ` +
        `The thread keeps its state before the node; change it (updateState) and continue, or leave it.`,
    );
  }
}
