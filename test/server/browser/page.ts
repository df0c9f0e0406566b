/// <reference lib="dom" />
// A tiny app on useStream from @langchain/langgraph-sdk/react, bundled by the browser test into a
// temporary folder: it starts a transfer, shows the approval it waits on, and approves it.
// (createElement rather than JSX, so the repository's type check covers it as it is.)
import { useStream } from "@langchain/langgraph-sdk/react";
import { createElement as h } from "react";
import { createRoot } from "react-dom/client";

interface Approval {
  question: string;
  action_requests: Array<{ name: string }>;
}

interface Transfer {
  to: string;
  amount: number;
  status?: string;
}

const { apiUrl, apiKey } = (window as unknown as { switchyard: { apiUrl: string; apiKey: string } })
  .switchyard;

function App() {
  const stream = useStream<Transfer, { InterruptType: Approval }>({
    apiUrl,
    apiKey,
    assistantId: "transfer",
  });
  const approval = stream.interrupt?.value;
  const start = () => void stream.submit({ to: "ann", amount: 120 });
  const approve = () =>
    void stream.submit(undefined, { command: { resume: { decisions: [{ type: "approve" }] } } });
  return h(
    "main",
    null,
    h("button", { id: "start", onClick: start }, "start"),
    approval
      ? h(
          "section",
          null,
          h("p", { id: "question" }, approval.question),
          h("p", { id: "action" }, approval.action_requests[0]?.name),
          h("button", { id: "approve", onClick: approve }, "approve"),
        )
      : null,
    h("p", { id: "status" }, stream.values?.status ?? "none"),
    h("p", { id: "loading" }, stream.isLoading ? "loading" : "idle"),
    h(
      "p",
      { id: "error" },
      stream.error instanceof Error ? stream.error.message : stream.error ? "failed" : "",
    ),
  );
}

createRoot(document.getElementById("root") as HTMLElement).render(h(App));
