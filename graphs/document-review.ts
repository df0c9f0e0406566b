import { z } from "zod";
import { append, approval, END, Send, START, StateGraph } from "../src/index.js";

/**
 * Document review: split a document into sections, check every section in parallel (a `Send`
 * per section), join the findings, and ask a human reviewer only when something was flagged.
 */
export const description =
  "Fan out checks over a document's sections, join the findings, human review only if flagged.";

export const Section = z.object({ title: z.string().min(1), text: z.string() });

const Finding = z.object({ section: z.string(), rule: z.string(), detail: z.string() });

export const ReviewState = z.object({
  title: z.string().min(1),
  sections: z.array(Section).min(1),
  findings: append(Finding),
  checked: append(z.string()),
  verdict: z.enum(["approved", "changes_requested"]).optional(),
  reviewer_comment: z.string().optional(),
});

type SectionType = z.output<typeof Section>;

/** The checks each section gets. Each returns a problem description, or nothing. */
const rules: Record<string, (section: SectionType) => string | undefined> = {
  "not-empty": (section) => (section.text.trim().length === 0 ? "the section is empty" : undefined),
  "no-placeholders": (section) =>
    /\b(TODO|TBD|FIXME)\b/.test(section.text) ? "it still contains a placeholder" : undefined,
  "no-secrets": (section) =>
    /(password|api[_-]?key)\s*[:=]/i.test(section.text)
      ? "it looks like it contains a credential"
      : undefined,
  "short-enough": (section) =>
    section.text.split(/\s+/).length > 400 ? "it is longer than 400 words" : undefined,
};

export function buildGraph() {
  return new StateGraph(ReviewState)
    .addNode("split", () => ({}))
    .addNode("check_section", (section: SectionType) => ({
      checked: section.title,
      findings: Object.entries(rules).flatMap(([rule, check]) => {
        const detail = check(section);
        return detail === undefined ? [] : [{ section: section.title, rule, detail }];
      }),
    }))
    .addNode("collect", () => ({}))
    .addNode("human_review", (state) => {
      const decision = approval({
        question: `"${state.title}" has ${state.findings.length} finding(s). Approve anyway?`,
        findings: state.findings,
      });
      return {
        verdict: decision.approved ? ("approved" as const) : ("changes_requested" as const),
        ...(decision.comment ? { reviewer_comment: decision.comment } : {}),
      };
    })
    .addNode("auto_approve", () => ({ verdict: "approved" as const }))
    .addEdge(START, "split")
    .addConditionalEdges(
      "split",
      (state) => state.sections.map((section) => new Send("check_section", section)),
      ["check_section"],
    )
    .addEdge("check_section", "collect")
    .addConditionalEdges(
      "collect",
      (state) => (state.findings.length > 0 ? "human_review" : "auto_approve"),
      ["human_review", "auto_approve"],
    )
    .addEdge("human_review", END)
    .addEdge("auto_approve", END);
}
