// Every named error a user can cause, triggered through the public API: its class, its stable
// `code`, and the parts of its message that say what happened, where, and what to do.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as switchyard from "../src/index.js";
import {
  DatabaseConflictError,
  DatabaseConnectionLostError,
  DatabaseUnreachableError,
  SchemaNotFoundError,
  AmbiguousUpdateError,
  AttemptAbandonedError,
  append,
  CancelledError,
  CheckpointNotFoundError,
  Command,
  ConcurrentUpdateError,
  DatabaseNotFoundError,
  DatabaseTooNewError,
  DatabaseUnavailableError,
  DeadlinePassedError,
  DuplicateNodeError,
  EmptyInputError,
  END,
  InvalidConfigError,
  InvalidEdgeError,
  InvalidNodeError,
  InvalidNodeNameError,
  InvalidNodeOutputError,
  InvalidResumeError,
  MissingInputError,
  InvalidRouteError,
  InvalidSchemaError,
  InvalidThreadIdError,
  InvalidUpdateError,
  GraphBuildFailedError,
  MemoryCheckpointer,
  MissingThreadIdError,
  NoCheckpointerError,
  NoEntryPointError,
  NoParentGraphError,
  NodeFailedError,
  NotASwitchyardDatabaseError,
  GraphVersionMismatchError,
  SubgraphVersionMismatchError,
  LeaseLostError,
  ThreadBusyError,
  ThreadExistsError,
  ThreadNotFoundError,
  DuplicateStepError,
  OutsideNodeError,
  ThreadInterruptedError,
  InterruptRejectedError,
  InterruptsDroppedError,
  NodeTimeoutError,
  RecursionLimitError,
  Send,
  SerializationError,
  START,
  StateGraph,
  SwitchyardError,
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
  type NodeOptions,
  DatabaseBusyError,
  DatabaseReadOnlyError,
  DatabaseReplacedError,
  DiskFullError,
} from "../src/index.js";
import { collect, thread, untilAborted } from "./support.js";

const State = z.object({ count: z.number(), log: append(z.string()) });
const graph = () => new StateGraph(State);
const noop = () => {};
type NodeArg = Parameters<StateGraph<typeof State>["addNode"]>[1];

/** START -> a -> END, where node "a" is `fn`. */
const single = (fn: NodeArg, options?: NodeOptions) =>
  graph().addNode("a", fn, options).addEdge(START, "a").addEdge("a", END);

/**
 * Runs `action` (which must throw or reject) and checks the error's class, its `code`, and that
 * its message contains every one of `parts`.
 */
async function fails<E extends SwitchyardError>(
  action: () => unknown,
  Class: abstract new (...args: never[]) => E,
  code: string,
  parts: readonly string[],
): Promise<E> {
  let error: unknown;
  try {
    await action();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(Class);
  expect(error).toBeInstanceOf(SwitchyardError);
  const typed = error as E;
  expect(typed.code).toBe(code);
  for (const part of parts) expect(typed.message).toContain(part);
  return typed;
}

describe("graph definition errors", () => {
  it("DUPLICATE_NODE", async () => {
    const define = () => graph().addNode("a", noop).addNode("a", noop);
    const error = await fails(define, DuplicateNodeError, "DUPLICATE_NODE", ['"a"', "unique"]);
    expect(error.node).toBe("a");
  });

  it("INVALID_NODE_NAME for a reserved name and for a state key", async () => {
    const reserved = () => graph().addNode(START, noop);
    const parts = ['"__start__"', "reserved", "Rename"];
    await fails(reserved, InvalidNodeNameError, "INVALID_NODE_NAME", parts);
    const stateKey = () => graph().addNode("count", noop);
    await fails(stateKey, InvalidNodeNameError, "INVALID_NODE_NAME", ['"count"', "state key"]);
  });

  it("INVALID_NODE when fn is not a function", async () => {
    const define = () => graph().addNode("a", 42 as never);
    await fails(define, InvalidNodeError, "INVALID_NODE", ["function or a Runnable", "number"]);
  });

  it("UNKNOWN_NODE for an edge, a path map or a breakpoint naming an unknown node", async () => {
    const edge = () => single(noop).addEdge("a", "nope").compile();
    const parts = ['"nope"', '"a"', "addNode()"];
    const error = await fails(edge, UnknownNodeError, "UNKNOWN_NODE", parts);
    expect(error.node).toBe("nope");
    const pathMap = () =>
      single(noop)
        .addConditionalEdges("a", () => END, ["nope", END])
        .compile();
    await fails(pathMap, UnknownNodeError, "UNKNOWN_NODE", ['"nope"', "path map", '"a"']);
    const breakpoint = () => single(noop).compile({ interruptBefore: ["nope"] });
    await fails(breakpoint, UnknownNodeError, "UNKNOWN_NODE", ['"nope"', "interruptBefore"]);
  });

  it("UNKNOWN_NODE at run time: a router's result, a Command goto, a Send", async () => {
    const routed = single(noop)
      .addConditionalEdges("a", () => "nope")
      .compile();
    const route = () => routed.invoke({ count: 0 });
    await fails(route, UnknownNodeError, "UNKNOWN_NODE", ['"nope"', 'router of "a"']);
    const commanded = single(() => new Command({ goto: "nope" })).compile();
    const goto = () => commanded.invoke({ count: 0 });
    await fails(goto, UnknownNodeError, "UNKNOWN_NODE", ['"nope"', "goto", '"a"']);
    const sent = single(noop)
      .addConditionalEdges("a", () => new Send("nope", {}))
      .compile();
    const send = () => sent.invoke({ count: 0 });
    await fails(send, UnknownNodeError, "UNKNOWN_NODE", ['"nope"', 'Send from "a"']);
  });

  it("INVALID_EDGE for an edge into START or out of END", async () => {
    const intoStart = () => graph().addEdge("a", START);
    await fails(intoStart, InvalidEdgeError, "INVALID_EDGE", ["into START"]);
    const outOfEnd = () => graph().addEdge(END, "a");
    await fails(outOfEnd, InvalidEdgeError, "INVALID_EDGE", ["leave END"]);
  });

  it("NO_ENTRY_POINT", async () => {
    const define = () => graph().addNode("a", noop).addEdge("a", END).compile();
    await fails(define, NoEntryPointError, "NO_ENTRY_POINT", ["entry point", "addEdge(START"]);
  });

  it("UNREACHABLE_NODE, fixed by declaring ends or by a router without a path map", async () => {
    const build = (options: NodeOptions = {}) =>
      graph()
        .addNode("a", () => new Command({ goto: "b" }), options)
        .addNode("b", () => ({ count: 7 }))
        .addEdge(START, "a")
        .addEdge("b", END);
    const define = () => build().compile();
    const parts = ['"b"', "START", "ends"];
    const error = await fails(define, UnreachableNodeError, "UNREACHABLE_NODE", parts);
    expect(error.nodes).toEqual(["b"]);

    const declared = build({ ends: ["b"] }).compile();
    expect(await declared.invoke({ count: 0 })).toMatchObject({ count: 7 });
    expect(() =>
      build()
        .addConditionalEdges("a", () => END)
        .compile(),
    ).not.toThrow();
  });

  it("UNSATISFIABLE_BARRIER for a join whose source only runs after the join", async () => {
    const define = () =>
      graph()
        .addNode("a", noop)
        .addNode("join", noop)
        .addNode("late", noop)
        .addEdge(START, "a")
        .addEdge(["a", "late"], "join")
        .addEdge("join", "late")
        .addEdge("late", END)
        .compile();
    const parts = ['"join"', '"late"', "wait forever"];
    const error = await fails(define, UnsatisfiableBarrierError, "UNSATISFIABLE_BARRIER", parts);
    expect([error.target, error.source]).toEqual(["join", "late"]);
  });

  it("INVALID_SCHEMA for a schema that is not a zod object", async () => {
    const define = () => new StateGraph(z.string() as unknown as z.ZodObject);
    await fails(define, InvalidSchemaError, "INVALID_SCHEMA", ["zod object"]);
  });
});

describe("run errors", () => {
  it("INVALID_UPDATE for an invalid input value and an unknown input key", async () => {
    const compiled = single(noop).compile();
    // Mistyped on purpose (as input parsed from JSON would be): validation happens at run time too.
    const badValue = () => compiled.invoke({ count: "one" } as never);
    const parts = ["input", '"count"', "Nothing was applied"];
    const error = await fails(badValue, InvalidUpdateError, "INVALID_UPDATE", parts);
    expect([error.node, error.key]).toEqual([START, "count"]);
    const unknownKey = () => compiled.invoke({ nope: 1 } as never);
    const unknownParts = ['"nope"', "no such key"];
    const unknown = await fails(unknownKey, InvalidUpdateError, "INVALID_UPDATE", unknownParts);
    expect(unknown.key).toBe("nope");
  });

  it("INVALID_UPDATE for a node update failing zod, naming node, key and the zod issue", async () => {
    const Scored = z.object({ score: z.number().min(0) });
    const compiled = new StateGraph(Scored)
      .addNode("scorer", () => ({ score: -1 }))
      .addEdge(START, "scorer")
      .compile();
    const issue = Scored.shape.score.safeParse(-1).error?.issues[0]?.message ?? "(no issue)";
    const run = () => compiled.invoke({ score: 1 });
    const parts = ['"scorer"', '"score"', issue];
    const error = await fails(run, InvalidUpdateError, "INVALID_UPDATE", parts);
    expect([error.node, error.key]).toEqual(["scorer", "score"]);
  });

  it("INVALID_UPDATE for an unknown key in a node update", async () => {
    const compiled = single(() => ({ nope: 1 }) as never).compile();
    const run = () => compiled.invoke({ count: 0 });
    const parts = ['node "a"', '"nope"', "no such key"];
    const error = await fails(run, InvalidUpdateError, "INVALID_UPDATE", parts);
    expect([error.node, error.key]).toEqual(["a", "nope"]);
  });

  it("CONCURRENT_UPDATE names both nodes, the key and the step", async () => {
    const compiled = graph()
      .addNode("left", () => ({ count: 1 }))
      .addNode("right", () => ({ count: 2 }))
      .addEdge(START, "left")
      .addEdge(START, "right")
      .compile();
    const parts = ['"count"', '"left"', '"right"', "step 0", "reducer"];
    const run = () => compiled.invoke({ count: 0 });
    const error = await fails(run, ConcurrentUpdateError, "CONCURRENT_UPDATE", parts);
    expect([error.key, error.nodes, error.step]).toEqual(["count", ["left", "right"], 0]);
  });

  it("RECURSION_LIMIT after exactly 25 supersteps by default, or the configured limit", async () => {
    let calls = 0;
    const loop = graph()
      .addNode("spin", () => void (calls += 1))
      .addEdge(START, "spin")
      .addEdge("spin", "spin")
      .compile({ checkpointer: new MemoryCheckpointer() });
    const run = () => loop.invoke({ count: 0 }, thread("spinning"));
    const parts = ["25", '"spinning"', "recursionLimit"];
    const error = await fails(run, RecursionLimitError, "RECURSION_LIMIT", parts);
    expect([error.limit, calls]).toEqual([25, 25]);

    calls = 0;
    const short = () => loop.invoke({ count: 0 }, { ...thread("short"), recursionLimit: 4 });
    await fails(short, RecursionLimitError, "RECURSION_LIMIT", ["limit of 4"]);
    expect(calls).toBe(4);
  });

  it("NODE_FAILED names node, step, thread and attempts, with the node's error as cause", async () => {
    const boom = new Error("boom");
    const retryPolicy = { maxAttempts: 2, initialInterval: 1, jitter: false };
    const compiled = graph()
      .addNode("a", noop)
      .addNode("b", () => Promise.reject(boom), { retryPolicy })
      .addEdge(START, "a")
      .addEdge("a", "b")
      .compile({ checkpointer: new MemoryCheckpointer() });
    const run = () => compiled.invoke({ count: 0 }, thread("t-fail"));
    const parts = ['"b"', "step 1", '"t-fail"', "2 attempts", "boom", "invoke(null"];
    const error = await fails(run, NodeFailedError, "NODE_FAILED", parts);
    expect([error.node, error.step, error.threadId, error.attempts]).toEqual(["b", 1, "t-fail", 2]);
    expect(error.cause).toBe(boom);
  });

  it("NODE_TIMEOUT", async () => {
    const compiled = single((_, ctx) => untilAborted(ctx.signal), { timeoutMs: 20 }).compile();
    const run = () => compiled.invoke({ count: 0 });
    const parts = ['"a"', "20 ms", "step 0", "timeoutMs"];
    const error = await fails(run, NodeTimeoutError, "NODE_TIMEOUT", parts);
    expect([error.node, error.timeoutMs, error.step]).toEqual(["a", 20, 0]);
  });

  it("CANCELLED when the caller's signal aborts; the running node's signal fires", async () => {
    const controller = new AbortController();
    let nodeSignal: AbortSignal | undefined;
    const compiled = single((_, ctx) => {
      nodeSignal = ctx.signal;
      setTimeout(() => controller.abort(), 5);
      return untilAborted(ctx.signal);
    }).compile({ checkpointer: new MemoryCheckpointer() });
    const run = () =>
      compiled.invoke({ count: 0 }, { ...thread("t-cancel"), signal: controller.signal });
    const parts = ["cancelled", "step 0", '"t-cancel"', "invoke(null"];
    const error = await fails(run, CancelledError, "CANCELLED", parts);
    expect(error.step).toBe(0);
    expect(nodeSignal?.aborted).toBe(true);
  });

  it("INVALID_NODE_OUTPUT for a number or an array", async () => {
    const number = single(() => 42 as never).compile();
    const returnsNumber = () => number.invoke({ count: 0 });
    const parts = ['"a"', "number (42)", "Command"];
    await fails(returnsNumber, InvalidNodeOutputError, "INVALID_NODE_OUTPUT", parts);
    const array = single(() => [{ count: 1 }] as never).compile();
    const returnsArray = () => array.invoke({ count: 0 });
    await fails(returnsArray, InvalidNodeOutputError, "INVALID_NODE_OUTPUT", ['"a"', "an array"]);
  });

  it("INVALID_ROUTE for a router returning a number or a name outside its path map", async () => {
    const numbered = single(noop)
      .addConditionalEdges("a", () => 3 as never)
      .compile();
    const number = () => numbered.invoke({ count: 0 });
    await fails(number, InvalidRouteError, "INVALID_ROUTE", ['"a"', "returned number"]);
    const listed = single(noop)
      .addConditionalEdges("a", () => "b", [END])
      .compile();
    const notListed = () => listed.invoke({ count: 0 });
    await fails(notListed, InvalidRouteError, "INVALID_ROUTE", ['"a"', '"b"', "path map"]);
    const mapped = single(noop)
      .addConditionalEdges("a", () => "maybe", { yes: END })
      .compile();
    const notMapped = () => mapped.invoke({ count: 0 });
    await fails(notMapped, InvalidRouteError, "INVALID_ROUTE", ['"maybe"', "path map", "yes"]);
  });

  it("INVALID_CONFIG for recursionLimit 0", async () => {
    const run = () => single(noop).compile().invoke({ count: 0 }, { recursionLimit: 0 });
    await fails(run, InvalidConfigError, "INVALID_CONFIG", ["recursionLimit", "got 0"]);
  });
});

describe("thread errors", () => {
  const checkpointed = () =>
    single(() => ({ count: 1 })).compile({ checkpointer: new MemoryCheckpointer() });

  it("NO_CHECKPOINTER for getState without a checkpointer", async () => {
    const read = () => single(noop).compile().getState(thread("t"));
    await fails(read, NoCheckpointerError, "NO_CHECKPOINTER", ["getState()", "MemoryCheckpointer"]);
  });

  it("MISSING_THREAD_ID for invoke on a checkpointed graph without thread_id", async () => {
    const run = () => checkpointed().invoke({ count: 0 });
    await fails(run, MissingThreadIdError, "MISSING_THREAD_ID", ["thread_id"]);
  });

  it("INVALID_THREAD_ID for an empty thread_id, before anything is stored", async () => {
    const compiled = checkpointed();
    for (const id of ["", "  "]) {
      const config = { configurable: { thread_id: id } };
      await fails(
        () => compiled.invoke({ count: 0 }, config),
        InvalidThreadIdError,
        "INVALID_THREAD_ID",
        ["empty thread id", "thread_id"],
      );
      await fails(() => compiled.getState(config), InvalidThreadIdError, "INVALID_THREAD_ID", [
        "getState()",
      ]);
    }
    await compiled.invoke({ count: 0 }, thread("t-copy"));
    await fails(
      () => compiled.copyThread(thread("t-copy"), ""),
      InvalidThreadIdError,
      "INVALID_THREAD_ID",
      ["copyThread()"],
    );
  });

  it("CHECKPOINT_NOT_FOUND from getState and invoke", async () => {
    const compiled = checkpointed();
    await compiled.invoke({ count: 0 }, thread("t-cp"));
    const config = { configurable: { thread_id: "t-cp", checkpoint_id: "no-such-id" } };
    const parts = ['"t-cp"', '"no-such-id"', "getStateHistory"];
    const read = () => compiled.getState(config);
    const error = await fails(read, CheckpointNotFoundError, "CHECKPOINT_NOT_FOUND", parts);
    expect([error.threadId, error.checkpointId]).toEqual(["t-cp", "no-such-id"]);
    const run = () => compiled.invoke(null, config);
    await fails(run, CheckpointNotFoundError, "CHECKPOINT_NOT_FOUND", parts);
  });

  it("EMPTY_INPUT for invoke(null) on a new thread", async () => {
    const run = () => checkpointed().invoke(null, thread("fresh"));
    await fails(run, EmptyInputError, "EMPTY_INPUT", ['"fresh"', "input object"]);
  });

  it("INVALID_RESUME for Command({ resume }) with nothing pending", async () => {
    const compiled = checkpointed();
    await compiled.invoke({ count: 0 }, thread("t-resume"));
    const resume = () => compiled.invoke(new Command({ resume: "yes" }), thread("t-resume"));
    await fails(resume, InvalidResumeError, "INVALID_RESUME", ['"t-resume"', "resume"]);
  });

  it("AMBIGUOUS_UPDATE for updateState without asNode after a parallel step", async () => {
    const compiled = graph()
      .addNode("left", () => ({ log: "l" }))
      .addNode("right", () => ({ log: "r" }))
      .addEdge(START, "left")
      .addEdge(START, "right")
      .compile({ checkpointer: new MemoryCheckpointer() });
    await compiled.invoke({ count: 0 }, thread("t-amb"));
    const update = () => compiled.updateState(thread("t-amb"), { count: 5 });
    await fails(update, AmbiguousUpdateError, "AMBIGUOUS_UPDATE", ['"left"', '"right"', "asNode"]);
  });

  it.each([
    ["a function", () => 1, "a function"],
    ["a class instance", new (class Widget {})(), "class Widget"],
  ])(
    "UNSERIALIZABLE_VALUE when a node writes %s; the step is not persisted",
    async (_, bad, what) => {
      const compiled = new StateGraph(z.object({ payload: z.unknown() }))
        .addNode("good", () => ({ payload: "ok" }))
        .addNode("bad", () => ({ payload: bad }))
        .addEdge(START, "good")
        .addEdge("good", "bad")
        .compile({ checkpointer: new MemoryCheckpointer() });
      const config = thread("t-serial");
      const run = () => compiled.invoke({ payload: "start" }, config);
      const parts = [what, "payload", "Nothing was written"];
      await fails(run, SerializationError, "UNSERIALIZABLE_VALUE", parts);

      const state = await compiled.getState(config);
      expect(state.values).toEqual({ payload: "ok" });
      expect(state.next).toEqual(["bad"]);
      expect(state.metadata).toMatchObject({ source: "loop", step: 0 });
      const history = await collect(compiled.getStateHistory(config));
      const steps = history.map((snapshot) => snapshot.metadata?.step);
      expect(steps).toEqual([0, -1]);
    },
  );
});

describe("error codes", () => {
  // One instance of every exported error class, constructed the way the engine constructs them.
  const samples: SwitchyardError[] = [
    new AmbiguousUpdateError(["a", "b"]),
    new AttemptAbandonedError("a", 1, "it timed out after 5 ms"),
    new CancelledError(0, "t"),
    new CheckpointNotFoundError("t", "c"),
    new ConcurrentUpdateError("k", ["a", "b"], 0),
    new DatabaseNotFoundError("db.sqlite", "given by --db"),
    new DatabaseTooNewError("db.sqlite", 3, 2),
    new DatabaseUnavailableError("db.sqlite", "x"),
    new DuplicateNodeError("a"),
    new DuplicateStepError("a", "s"),
    new EmptyInputError("t"),
    new GraphVersionMismatchError("t", { name: "g", version: "1" }, { name: "g", version: "2" }),
    new SubgraphVersionMismatchError(
      "t",
      "call",
      { name: "g", version: "1" },
      { name: "g", version: "2" },
    ),
    new InvalidConfigError("x"),
    new InvalidEdgeError("x"),
    new InvalidNodeError("x"),
    new InvalidNodeNameError("a", "x"),
    new InvalidNodeOutputError("a", "x"),
    new InvalidResumeError("x"),
    new MissingInputError(["k"], "t"),
    new InvalidRouteError("a", "x"),
    new InvalidSchemaError("x"),
    new InvalidThreadIdError("x"),
    new GraphBuildFailedError("graphs/g.ts", new Error("x")),
    new InvalidUpdateError("a", "k", "x"),
    new InterruptRejectedError("a", "i", "x"),
    new LeaseLostError("t"),
    new MissingThreadIdError("x"),
    new NoParentGraphError("a", "t"),
    new NoCheckpointerError("x"),
    new NoEntryPointError(),
    new NodeFailedError("a", 0, "t", 1, new Error("x")),
    new NodeTimeoutError("a", 1, 0, "t"),
    new NotASwitchyardDatabaseError("db.sqlite"),
    new OutsideNodeError("interrupt()"),
    new RecursionLimitError(25, "t"),
    new SerializationError("value", "x"),
    new ThreadBusyError("t", new Date(0)),
    new ThreadExistsError("t"),
    new ThreadInterruptedError("t", ["i"]),
    new ThreadNotFoundError("t"),
    new UnknownNodeError("a", "x", []),
    new UnreachableNodeError(["a"]),
    new UnsatisfiableBarrierError("a", "b"),
    // Deadlines and kept interrupts.
    new DeadlinePassedError("t", "i", "a", "2001-01-01T00:00:00.000Z", 'reject: "late"'),
    new InterruptsDroppedError("t", "updateState", [{ id: "i", node: "a" }]),
    new DatabaseBusyError("db.sqlite", "t", 5000),
    new DatabaseReadOnlyError("db.sqlite", "t"),
    new DatabaseReplacedError("db.sqlite", "t", "The database file was deleted"),
    new DiskFullError("db.sqlite", undefined),
    new AssistantNotFoundError("a", ["b"]),
    new RunNotFoundError("t", "r"),
    new InvalidRequestError("x"),
    new RunInProgressError("t", "r"),
    new RunTimeoutError("t", "r", 1000),
    new UnauthorizedError(),
    new EndpointNotFoundError("GET", "/x"),
    new UnsupportedOptionError("x", "y"),
    new UnsafeBindError("0.0.0.0"),
    new RateLimitedError("dana", 1),
    new PayloadTooLargeError(1),
    // Governance (issue 16).
    new switchyard.BudgetExceededError("run", "tokens", 1000, 1200, "c", 2, "t"),
    new switchyard.GuardrailFailedError("a", "output", "x", 0, "t"),
    new switchyard.ReviewRejectedError("a", "output", "x", 0, "t"),
    // Postgres storage.
    new DatabaseUnreachableError("postgres://u@h:5432/d", undefined, "refused", "Check it."),
    new DatabaseConnectionLostError("postgres://u@h:5432/d", "t", "terminated", false),
    new DatabaseConflictError("postgres://u@h:5432/d", "t", 6, "could not serialize access"),
    new SchemaNotFoundError("postgres://u@h:5432/d", "switchyard"),
  ];

  it("every exported error class has a distinct, upper-case code", () => {
    const exported = Object.entries(switchyard)
      .filter(
        ([, value]) => typeof value === "function" && value.prototype instanceof SwitchyardError,
      )
      .map(([name]) => name);
    expect(samples.map((sample) => sample.name).sort()).toEqual(exported.sort());
    const codes = samples.map((sample) => sample.code);
    for (const code of codes) expect(code).toMatch(/^[A-Z_]+$/);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
