// Subgraphs: a compiled graph as a node, interrupts inside (resumed where they stopped?), nesting,
// parallel children via Send, state crossing the boundary, streaming namespaces, Command.PARENT.
// Interrupt ids and namespaces are engine-specific strings: scenarios compare their shape only.
import { z } from "zod";
import type { CompiledLike, Engine, GraphBuilder, NodeFn } from "./engines.js";
import { Calls, collect, logKey, scenario, thread, type Scenario } from "./harness.js";

/** Adds a compiled graph as a node (both engines accept one where a node function goes). */
function addGraph<State>(
  builder: GraphBuilder<State>,
  name: string,
  graph: CompiledLike<unknown>,
  options?: { ends?: string[] },
): GraphBuilder<State> {
  return builder.addNode(name, graph as unknown as NodeFn<State, State>, options);
}

/** A Command addressed to the parent graph. */
function parentCommand(engine: Engine, goto: string, update: Record<string, unknown>): unknown {
  const Command = engine.Command as unknown as {
    PARENT: string;
    new (init: Record<string, unknown>): unknown;
  };
  return new Command({ graph: Command.PARENT, goto, update });
}

function firstInterrupt(result: object): { id: string; value: unknown } | undefined {
  return (result as { __interrupt__?: Array<{ id: string; value: unknown }> }).__interrupt__?.[0];
}

/** research (counted) -> approve (asks, counted) -> publish (counted), over { topic, log }. */
export function writer(engine: Engine, calls: Calls) {
  return engine
    .graph({ topic: z.string(), log: logKey(engine), draft: z.string().optional() })
    .addNode("research", (s) => {
      calls.hit("research");
      return { draft: `notes on ${s.topic}`, log: ["research"] };
    })
    .addNode("approve", () => {
      calls.hit("approve");
      return { log: [`approve:${String(engine.interrupt("ok?"))}`] };
    })
    .addNode("publish", () => {
      calls.hit("publish");
      return { log: ["publish"] };
    })
    .addEdge(engine.START, "research")
    .addEdge("research", "approve")
    .addEdge("approve", "publish")
    .addEdge("publish", engine.END)
    .compile();
}

function supervisor(engine: Engine, child: CompiledLike<unknown>) {
  const builder = engine.graph({ topic: z.string(), log: logKey(engine) });
  return addGraph(builder, "writer", child)
    .addEdge(engine.START, "writer")
    .addEdge("writer", engine.END)
    .compile({ checkpointer: engine.checkpointer() });
}

export const subgraphScenarios: Scenario[] = [
  scenario({
    name: "subgraph: an interrupt inside surfaces on the parent and resume finishes the child",
    run: async (engine) => {
      const calls = new Calls();
      const graph = supervisor(engine, writer(engine, calls));
      const config = thread();
      const paused = await graph.invoke({ topic: "otters", log: [] }, config);
      const asked = firstInterrupt(paused);
      const snapshot = await graph.getState(config);
      const done = await graph.invoke(new engine.Command({ resume: "yes" }) as never, config);
      return {
        asked: { id: typeof asked?.id, value: asked?.value },
        next: snapshot.next,
        waiting: snapshot.tasks.map((task) => task.interrupts?.length),
        log: done.log,
        draft: (done as { draft?: string }).draft,
        calls: calls.counts,
      };
    },
    expected: {
      asked: { id: "string", value: "ok?" },
      next: ["writer"],
      waiting: [1],
      // The child's whole output folds into the shared append key again: the parent's input too.
      log: ["research", "approve:yes", "publish"],
      draft: undefined,
      calls: { research: 1, approve: 2, publish: 1 },
    },
  }),
  scenario({
    name: "subgraph: state crossing the boundary (private keys dropped, shared reducer folded again)",
    run: async (engine) => {
      const child = engine
        .graph({ topic: z.string(), log: logKey(engine), draft: z.string().optional() })
        .addNode("work", (s) => ({ draft: s.topic, log: [`child saw ${s.topic}`] }))
        .addEdge(engine.START, "work")
        .addEdge("work", engine.END)
        .compile();
      const builder = engine.graph({ topic: z.string(), secret: z.string(), log: logKey(engine) });
      const graph = addGraph(builder, "child", child as CompiledLike<unknown>)
        .addNode("before", () => ({ log: ["before"] }))
        .addEdge(engine.START, "before")
        .addEdge("before", "child")
        .addEdge("child", engine.END)
        .compile();
      const done = await graph.invoke({ topic: "t", secret: "s", log: ["input"] });
      return done;
    },
    expected: {
      topic: "t",
      secret: "s",
      log: ["input", "before", "input", "before", "child saw t"],
    },
  }),
  scenario({
    name: "subgraph: nested two levels, the innermost interrupt resumes in place",
    run: async (engine) => {
      const calls = new Calls();
      const middleBuilder = engine
        .graph({ topic: z.string(), log: logKey(engine) })
        .addNode("before", () => {
          calls.hit("before");
          return { log: ["before"] };
        });
      const middle = addGraph(
        middleBuilder,
        "inner",
        writer(engine, calls) as CompiledLike<unknown>,
      )
        .addEdge(engine.START, "before")
        .addEdge("before", "inner")
        .addEdge("inner", engine.END)
        .compile();
      const graph = supervisor(engine, middle);
      const config = thread();
      const paused = await graph.invoke({ topic: "owls", log: [] }, config);
      const done = await graph.invoke(new engine.Command({ resume: "ok" }) as never, config);
      return {
        asked: firstInterrupt(paused)?.value,
        tail: done.log.slice(-3),
        calls: calls.counts,
      };
    },
    expected: {
      asked: "ok?",
      tail: ["research", "approve:ok", "publish"],
      calls: { before: 1, research: 1, approve: 2, publish: 1 },
    },
  }),
  scenario({
    name: "subgraph: parallel children via Send, answered one at a time",
    run: async (engine) => {
      const calls = new Calls();
      const child = engine
        .graph({ topic: z.string(), log: logKey(engine) })
        .addNode("work", (s) => {
          calls.hit(`work:${s.topic}`);
          return { log: [`work:${s.topic}`] };
        })
        .addNode("ask", (s) => {
          calls.hit(`ask:${s.topic}`);
          return { log: [`${s.topic}=${String(engine.interrupt(s.topic))}`] };
        })
        .addEdge(engine.START, "work")
        .addEdge("work", "ask")
        .addEdge("ask", engine.END)
        .compile();
      const builder = engine.graph({ topics: z.array(z.string()), log: logKey(engine) });
      const graph = addGraph(builder, "agent", child as CompiledLike<unknown>)
        .addConditionalEdges(engine.START, (s) =>
          s.topics.map((topic) => new engine.Send("agent", { topic, log: [] })),
        )
        .addEdge("agent", engine.END)
        .compile({ checkpointer: engine.checkpointer() });
      const config = thread();
      const paused = await graph.invoke({ topics: ["a", "b"], log: [] }, config);
      const raised =
        (paused as { __interrupt__?: Array<{ id: string; value: unknown }> }).__interrupt__ ?? [];
      const idOf = (value: string) => raised.find((entry) => entry.value === value)?.id as string;
      const half = await graph.invoke(
        new engine.Command({ resume: { [idOf("a")]: "yes" } }) as never,
        config,
      );
      const stillWaiting = (firstInterrupt(half)?.value as string | undefined) ?? null;
      const done = await graph.invoke(
        new engine.Command({ resume: { [idOf("b")]: "no" } }) as never,
        config,
      );
      return { stillWaiting, log: [...done.log].sort(), calls: calls.counts };
    },
    differs: {
      switchyard: {
        stillWaiting: "b",
        log: ["a=yes", "b=no", "work:a", "work:b"],
        calls: { "work:a": 1, "work:b": 1, "ask:a": 2, "ask:b": 2 },
      },
      langgraph: {
        stillWaiting: "b",
        log: ["a=yes", "b=no", "work:a", "work:b"],
        calls: { "work:a": 1, "work:b": 1, "ask:a": 2, "ask:b": 3 },
      },
      why:
        "A partial answer to parallel children: LangGraph re-runs the unanswered child's interrupted " +
        "node too (it asks again); Switchyard runs only the answered child and leaves the other waiting.",
    },
  }),
  scenario({
    name: "subgraph: updateState on the parent while the child waits, then resume",
    run: async (engine) => {
      const calls = new Calls();
      const graph = supervisor(engine, writer(engine, calls));
      const config = thread();
      await graph.invoke({ topic: "otters", log: [] }, config);
      await graph.updateState(config, { log: ["edited"] });
      const resumed = await graph.invoke(new engine.Command({ resume: "yes" }) as never, config);
      return {
        asked: firstInterrupt(resumed)?.value ?? null,
        log: resumed.log,
        calls: calls.counts,
      };
    },
    differs: {
      switchyard: {
        asked: null,
        log: ["edited", "research", "approve:yes", "publish"],
        calls: { research: 1, approve: 2, publish: 1 },
      },
      langgraph: { asked: "ok?", log: ["edited"], calls: { research: 2, approve: 2 } },
      why:
        "After updateState on the parent while a child waits, LangGraph drops the child's progress and " +
        "the answer: the child starts over (research runs again) and asks again (langgraph #4748). " +
        "Switchyard keeps the child's interrupt and progress, so the answer resumes it where it stopped.",
    },
  }),
  scenario({
    name: "subgraph: a child asking twice in turn, counted",
    run: async (engine) => {
      const calls = new Calls();
      const child = engine
        .graph({ log: logKey(engine) })
        .addNode("prepare", () => {
          calls.hit("prepare");
          return { log: ["prepare"] };
        })
        .addNode("first", () => {
          calls.hit("first");
          return { log: [`first:${String(engine.interrupt("q1"))}`] };
        })
        .addNode("second", () => {
          calls.hit("second");
          return { log: [`second:${String(engine.interrupt("q2"))}`] };
        })
        .addEdge(engine.START, "prepare")
        .addEdge("prepare", "first")
        .addEdge("first", "second")
        .addEdge("second", engine.END)
        .compile();
      const graph = addGraph(
        engine.graph({ log: logKey(engine) }),
        "child",
        child as CompiledLike<unknown>,
      )
        .addEdge(engine.START, "child")
        .addEdge("child", engine.END)
        .compile({ checkpointer: engine.checkpointer() });
      const config = thread();
      const asked: unknown[] = [];
      let result = await graph.invoke({ log: [] }, config);
      for (const answer of ["a1", "a2"]) {
        asked.push(firstInterrupt(result)?.value);
        result = await graph.invoke(new engine.Command({ resume: answer }) as never, config);
      }
      return { asked, log: result.log, calls: calls.counts };
    },
    expected: {
      asked: ["q1", "q2"],
      log: ["prepare", "first:a1", "second:a2"],
      calls: { prepare: 1, first: 2, second: 2 },
    },
  }),
  scenario({
    name: "subgraph: stream with subgraphs yields [namespace, chunk]",
    run: async (engine) => {
      const calls = new Calls();
      const graph = supervisor(engine, writer(engine, calls));
      const chunks = await collect(
        graph.stream({ topic: "owls", log: [] }, {
          ...thread(),
          subgraphs: true,
          streamMode: "updates",
        } as never),
      );
      return (chunks as Array<[string[], Record<string, unknown>]>).map(([namespace, chunk]) => [
        namespace.map((entry) => entry.split(":")[0]),
        Object.keys(chunk),
      ]);
    },
    expected: [
      [["writer"], ["research"]],
      [["writer"], ["__interrupt__"]],
      [[], ["__interrupt__"]],
    ],
  }),
  scenario({
    name: "subgraph: Command.PARENT from a child node routes in the parent",
    run: async (engine) => {
      const child = engine
        .graph({ topic: z.string(), log: logKey(engine) })
        .addNode("triage", () => parentCommand(engine, "escalate", { log: ["triaged"] }) as never)
        .addEdge(engine.START, "triage")
        .addEdge("triage", engine.END)
        .compile();
      const builder = engine.graph({ topic: z.string(), log: logKey(engine) });
      const graph = addGraph(builder, "team", child as CompiledLike<unknown>, {
        ends: ["escalate"],
      })
        .addNode("escalate", () => ({ log: ["escalated"] }))
        .addEdge(engine.START, "team")
        .addEdge("escalate", engine.END)
        .compile();
      return (await graph.invoke({ topic: "x", log: [] })).log;
    },
    expected: ["triaged", "escalated"],
  }),
];
