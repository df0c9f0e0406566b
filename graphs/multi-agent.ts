import { FakeListChatModel } from "@langchain/core/utils/testing";
import { z } from "zod";
import { append, approval, END, START, StateGraph } from "../src/index.js";

/**
 * A supervisor delegating to two agent subgraphs: a research agent gathers notes, a writing agent
 * drafts the piece and asks an editor for approval *inside its own subgraph*. The editor's answer
 * (`switchyard approve <thread>`) resumes the writing agent at its approval: the draft is not
 * written again and the research is not redone.
 *
 * The agents use fake chat models from `@langchain/core/utils/testing`, so this runs without an API
 * key. Swap in a real model (`new ChatOpenAI({ model: "gpt-4o-mini" })`) to make it real.
 */
export const description =
  "Supervisor delegating to research and writing agent subgraphs; the writer asks for approval.";

// --------------------------------------------------------------------- research agent (subgraph)

/** The research agent's state: `topic` and `notes` are shared with the supervisor, `sources` private. */
const ResearchState = z.object({
  topic: z.string(),
  notes: z.string().optional(),
  sources: z.array(z.string()).optional(),
});

const researchModel = new FakeListChatModel({
  responses: [
    "Key points: adoption is growing; costs fell by a third; teams report fewer incidents.",
  ],
});

function researchAgent() {
  return new StateGraph(ResearchState)
    .addNode("search", async (state, ctx) => ({
      // A durable step: a real search API is called once per task, even across a resume or crash.
      sources: await ctx.step("search", () => [
        `https://example.org/${encodeURIComponent(state.topic)}/survey`,
        `https://example.org/${encodeURIComponent(state.topic)}/case-study`,
      ]),
    }))
    .addNode("summarize", async (state, ctx) => {
      const answer = await researchModel.invoke(
        `Summarize what these sources say about ${state.topic}: ${(state.sources ?? []).join(", ")}`,
        ctx.runnableConfig,
      );
      return { notes: answer.text };
    })
    .addEdge(START, "search")
    .addEdge("search", "summarize")
    .addEdge("summarize", END)
    .compile({ name: "research-agent" });
}

// ---------------------------------------------------------------------- writing agent (subgraph)

/** The writing agent's state: everything but `log` is shared with the supervisor. */
const WritingState = z.object({
  topic: z.string(),
  notes: z.string().optional(),
  draft: z.string().optional(),
  approved: z.boolean().optional(),
  editor_comment: z.string().optional(),
});

const writingModel = new FakeListChatModel({
  responses: [
    "A short article: adoption is growing, costs fell by a third, and incidents are rarer.",
  ],
});

function writingAgent() {
  return new StateGraph(WritingState)
    .addNode("write", async (state, ctx) => {
      const answer = await writingModel.invoke(
        `Write a short article about ${state.topic} from these notes: ${state.notes ?? ""}`,
        ctx.runnableConfig,
      );
      return { draft: answer.text };
    })
    .addNode("editor_approval", (state) => {
      // Pauses the whole team; the interrupt surfaces on the supervisor's thread (inbox, CLI).
      const decision = approval({
        question: `Publish this draft about ${state.topic}?`,
        draft: state.draft,
      });
      return {
        approved: decision.approved,
        ...(decision.comment ? { editor_comment: decision.comment } : {}),
      };
    })
    .addEdge(START, "write")
    .addEdge("write", "editor_approval")
    .addEdge("editor_approval", END)
    .compile({ name: "writing-agent" });
}

// ------------------------------------------------------------------------------- the supervisor

export const TeamState = z.object({
  topic: z.string().min(1),
  notes: z.string().optional(),
  draft: z.string().optional(),
  approved: z.boolean().optional(),
  editor_comment: z.string().optional(),
  /** The supervisor's own record of what it delegated; the agents do not see it. */
  log: append(z.string()),
});

type Team = z.output<typeof TeamState>;

/** Who works next: research until there are notes, writing until the editor decided, then done. */
function nextAgent(state: Team): "research" | "writing" | typeof END {
  if (state.notes === undefined) return "research";
  if (state.approved === undefined) return "writing";
  return END;
}

export function buildGraph() {
  return new StateGraph(TeamState)
    .addNode("supervisor", (state) => {
      const next = nextAgent(state);
      return { log: [next === END ? "supervisor: done" : `supervisor: delegating to ${next}`] };
    })
    .addNode("research", researchAgent())
    .addNode("writing", writingAgent())
    .addEdge(START, "supervisor")
    .addConditionalEdges("supervisor", nextAgent, ["research", "writing", END])
    .addEdge("research", "supervisor")
    .addEdge("writing", "supervisor");
}
