import { z } from "zod";
import { StateGraph, START, END, Send, Command, reducer, append, MemoryCheckpointer } from "../src/index.js";

const State = z.object({ count: reducer(z.number(), (a, b: number) => a + b, () => 0), log: append(z.string()), x: z.number().optional() });
const g = new StateGraph(State)
  .addNode("a", (s) => ({ count: 1, log: `a${s.count}` }))
  .addNode("b", () => ({ count: 10, log: "b" }))
  .addNode("c", () => ({ count: 100, log: "c" }))
  .addNode("w", (s: { i: number }) => ({ log: `w${s.i}` }))
  .addNode("join", (s) => ({ x: s.log.length }))
  .addEdge(START, "a")
  .addEdge("a", "b").addEdge("a", "c")
  .addConditionalEdges("b", () => [new Send("w", { i: 2 }), new Send("w", { i: 1 })])
  .addEdge(["c", "w"], "join")
  .addEdge("join", END);
const cp = new MemoryCheckpointer();
const app = g.compile({ checkpointer: cp });
const cfg = { configurable: { thread_id: "t1" } };
console.log(await app.invoke({ count: 5 }, cfg));
for await (const c of app.stream({ count: 1 }, { ...cfg, streamMode: ["updates", "values"] })) console.log(JSON.stringify(c));
const st = await app.getState(cfg);
console.log(JSON.stringify(st));
let n = 0; for await (const h of app.getStateHistory(cfg)) { n++; } console.log("history", n);
console.log(app.drawMermaid());
const t0 = performance.now();
const chain = new StateGraph(z.object({ n: reducer(z.number(), (a, b: number) => a + b, () => 0) }));
for (let i = 0; i < 10; i++) chain.addNode(`n${i}`, () => ({ n: 1 }));
chain.addEdge(START, "n0"); for (let i = 0; i < 9; i++) chain.addEdge(`n${i}`, `n${i + 1}`);
const capp = chain.compile();
for (let i = 0; i < 2000; i++) await capp.invoke({ n: 0 });
const t1 = performance.now();
for (let i = 0; i < 5000; i++) await capp.invoke({ n: 0 });
console.log("chain10 us/invoke", ((performance.now() - t1) * 1000) / 5000, await capp.invoke({ n: 0 }));
