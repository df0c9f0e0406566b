import { z } from "zod";
import {
  Command,
  END,
  interrupt,
  reducer,
  Send,
  SqliteCheckpointer,
  START,
  StateGraph,
} from "../../src/index.js";
import type { BenchEngine, GraphBuilder, Shape, StateOf } from "./types.js";

export const engine: BenchEngine = {
  name: "switchyard",
  START,
  END,
  Send,
  graph: <S extends Shape>(shape: S) =>
    new StateGraph(z.object(shape)) as unknown as GraphBuilder<StateOf<S>>,
  counterGraph: () =>
    new StateGraph(
      z.object({
        count: reducer(
          z.number(),
          (a: number, b: number) => a + b,
          () => 0,
        ),
      }),
    ) as unknown as GraphBuilder<{ count: number }>,
  reducer: (schema, fn, initial) => reducer(schema, fn, initial),
  sqlite: (path) => {
    // Opens in WAL mode with synchronous = NORMAL already.
    const checkpointer = new SqliteCheckpointer(path);
    return { checkpointer, close: () => checkpointer.close() };
  },
  interrupt: (value) => interrupt(value),
  resume: (value) => new Command({ resume: value }),
};
