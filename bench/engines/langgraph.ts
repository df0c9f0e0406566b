import { Annotation, Command, END, interrupt, Send, START, StateGraph } from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { registry } from "@langchain/langgraph/zod";
import { z } from "zod";
import type { BenchEngine, GraphBuilder, Shape, StateOf } from "./types.js";

const LangGraphStateGraph = StateGraph as unknown as new (schema: z.ZodObject) => unknown;
const Counter = Annotation.Root({
  count: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
});

export const engine: BenchEngine = {
  name: "langgraph",
  START,
  END,
  Send,
  graph: <S extends Shape>(shape: S) =>
    new LangGraphStateGraph(z.object(shape)) as GraphBuilder<StateOf<S>>,
  counterGraph: () => new StateGraph(Counter) as unknown as GraphBuilder<{ count: number }>,
  reducer: (schema, fn, initial) =>
    schema.clone().register(registry, { reducer: { fn }, default: initial }),
  sqlite: (path) => {
    const saver = SqliteSaver.fromConnString(path);
    // SqliteSaver only switches to WAL; match Switchyard's durability (better-sqlite3 defaults to FULL).
    saver.db.pragma("journal_mode = WAL");
    saver.db.pragma("synchronous = NORMAL");
    return { checkpointer: saver, close: () => saver.db.close() };
  },
  interrupt: <T>(value: unknown) => interrupt<unknown, T>(value),
  resume: (value) => new Command({ resume: value }),
};
