// The public API of Switchyard: everything a user imports, nothing else.

export { StateGraph, type CompileOptions } from "./graph/builder.js";
export { START, END, Send, Command, type CommandInit, type Goto } from "./graph/constants.js";
export {
  reducer,
  append,
  type ReducedSchema,
  type StateOf,
  type UpdateOf,
  type UpdateValue,
} from "./graph/state.js";
export type {
  Configurable,
  NodeContext,
  NodeFunction,
  NodeOptions,
  NodeResult,
  PathMap,
  RetryPolicy,
  RouteResult,
  Router,
  RunConfig,
  ThreadMigration,
  InterruptOptions,
  OnTimeout,
  TokenUsage,
  CachePolicy,
  Budget,
  BudgetDecision,
  BudgetLimits,
  GuardCheck,
  GuardOptions,
  ReviewDecision,
} from "./graph/types.js";
export type { BudgetStatus } from "./runtime/budget.js";

export {
  CompiledGraph,
  type HistoryOptions,
  type StateSnapshot,
  type StateTask,
  type StreamConfig,
  type StreamMode,
  type RunOutput,
  type RecompileOptions,
  type SweptInterrupt,
  type GraphStructure,
} from "./threads/compiled.js";
export type { ThreadUsage } from "./runtime/usage.js";
export type { AttemptError, TaskTiming } from "./runtime/task-timing.js";
export { configureTelemetry, type TelemetryOptions } from "./telemetry/options.js";

export { MemoryCheckpointer } from "./checkpoint/memory.js";
export { MemoryCache, type CacheEntry, type CacheKey, type NodeCache } from "./checkpoint/cache.js";
export { SqliteCache } from "./checkpoint/cache-sqlite.js";
export { PostgresCache, type PostgresCacheOptions } from "./checkpoint/cache-postgres.js";
export { SqliteCheckpointer, type SqliteCheckpointerOptions } from "./checkpoint/sqlite.js";
export {
  PostgresCheckpointer,
  type PostgresCheckpointerOptions,
} from "./checkpoint/postgres/store.js";
export { serialize, deserialize } from "./checkpoint/serializer.js";
export {
  MemoryRunStore,
  type MultitaskStrategy,
  type RunEventRecord,
  type RunListOptions,
  type RunOutcome,
  type RunQueue,
  type RunRecord,
  type RunStatus,
  type RunStore,
  type ThreadRecord,
} from "./checkpoint/runs.js";
export { SqliteRunStore } from "./checkpoint/runs-sqlite.js";
export { PostgresRunStore } from "./checkpoint/postgres/run-store.js";
export {
  PostgresRunQueue,
  type ClaimedRun,
  type ClaimRefusal,
  type RecoveredRun,
} from "./checkpoint/postgres/run-queue.js";
export { RUN_TASK } from "./checkpoint/postgres/run-schema.js";
export {
  NAMESPACE_SEPARATOR,
  SUBGRAPHS_CHANNEL,
  namespaceKey,
  rootThreadOf,
  isNamespaceKey,
} from "./checkpoint/namespace.js";
export type {
  AuditEntry,
  ChannelWrite,
  Checkpointer,
  CheckpointRecord,
  CheckpointSource,
  CheckpointTuple,
  GraphIdentity,
  ListOptions,
  PendingWrite,
  PendingWritesPage,
  PendingWritesQuery,
  PlannedTask,
  StoredChannel,
  ThreadInfo,
  ThreadStore,
  WriteOptions,
} from "./checkpoint/types.js";
export type { UsageCounts, UsageOptions, UsageTotals } from "./checkpoint/usage.js";

export { messages, mergeMessages, type MessagesUpdate } from "./llm/messages.js";
export {
  chatNode,
  type ChatNodeOptions,
  type MessagesOutput,
  type MessagesState,
} from "./llm/chat-node.js";
export { toolNode, type ToolNodeOptions } from "./llm/tool-node.js";
export { toolsCondition, type ToolsConditionOptions } from "./llm/tools-condition.js";
export {
  approval,
  interrupt,
  type ApprovalDecision,
  type PendingInterrupt,
} from "./runtime/interrupt.js";
export {
  listPendingInterrupts,
  pendingInterruptsPage,
  MAX_INBOX_PAGE,
  type InboxItem,
  type InboxPage,
} from "./threads/inbox.js";

export {
  SwitchyardError,
  AmbiguousUpdateError,
  AttemptAbandonedError,
  DatabaseNotFoundError,
  DatabaseTooNewError,
  DatabaseUnavailableError,
  DuplicateStepError,
  GraphBuildFailedError,
  GraphVersionMismatchError,
  SubgraphVersionMismatchError,
  LeaseLostError,
  NotASwitchyardDatabaseError,
  CancelledError,
  CheckpointNotFoundError,
  ConcurrentUpdateError,
  DuplicateNodeError,
  EmptyInputError,
  InvalidConfigError,
  InvalidEdgeError,
  InvalidNodeError,
  InvalidNodeNameError,
  InvalidNodeOutputError,
  InvalidResumeError,
  InvalidRouteError,
  InvalidSchemaError,
  InvalidThreadIdError,
  InvalidUpdateError,
  InterruptRejectedError,
  MissingInputError,
  MissingThreadIdError,
  NoCheckpointerError,
  NoEntryPointError,
  NoParentGraphError,
  NodeFailedError,
  NodeTimeoutError,
  OutsideNodeError,
  RecursionLimitError,
  SerializationError,
  ThreadBusyError,
  ThreadExistsError,
  ThreadInterruptedError,
  ThreadNotFoundError,
  UnknownNodeError,
  UnreachableNodeError,
  UnsatisfiableBarrierError,
  AssistantNotFoundError,
  RunNotFoundError,
  InvalidRequestError,
  RunInProgressError,
  RunTimeoutError,
  UnauthorizedError,
  EndpointNotFoundError,
  UnsupportedOptionError,
  UnsafeBindError,
  RateLimitedError,
  PayloadTooLargeError,
} from "./errors.js";

// Deadlines and kept interrupts.
export { DeadlinePassedError, InterruptsDroppedError } from "./errors.js";
// Storage failures while the database is open (issue 10).
export {
  DatabaseBusyError,
  DatabaseReadOnlyError,
  DatabaseReplacedError,
  DiskFullError,
} from "./errors.js";
// Governance: budgets and guardrails (issue 16).
export { BudgetExceededError, GuardrailFailedError, ReviewRejectedError } from "./errors.js";
export { reviewBelow } from "./runtime/guard.js";
// Postgres storage failures (issue 14).
export {
  DatabaseConflictError,
  DatabaseConnectionLostError,
  DatabaseUnreachableError,
  SchemaNotFoundError,
} from "./errors.js";
