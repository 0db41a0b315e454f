import "../test/reactFlowStubs";

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { NodeRunState } from "../api/runs";
import { answering, json } from "../test/answers";
import { renderStudio } from "../test/renderStudio";

// A page's lazy chunk (React Flow with it) can take seconds to load on a busy two-core machine.
const LOAD = { timeout: 5000 };

function signedInAs(role: string) {
  sessionStorage.setItem(
    "airloom.studio.session",
    JSON.stringify({ token: "tok", username: "ann", tenant: "acme", role, expiresAt: Date.now() + 60_000 }),
  );
}

function node(nodeId: string, state: string, extra: Partial<NodeRunState> = {}): NodeRunState {
  return { nodeId, type: "t", state, tryNumber: 1, start: null, end: null, logUrl: null, error: null, ...extra };
}

const FAILED_RUN = {
  id: "run-1",
  workflowId: "wf-1",
  version: 2,
  triggeredBy: "ann",
  runType: "manual",
  createdAt: "2026-03-01T10:00:00+00:00",
  recordedState: "failed",
  state: "failed",
  start: "2026-03-01T10:00:01+00:00",
  end: "2026-03-01T10:02:00+00:00",
  workflow: { id: "wf-1", name: "churn", title: "Weekly churn" },
  nodes: [
    node("load", "success"),
    node("train", "failed", { error: "ValueError: no rows", tryNumber: 2, logUrl: "http://airflow/log" }),
  ],
};

const SPEC = {
  nodes: [
    { id: "load", type: "csv_source" },
    { id: "train", type: "train_model", ui: { x: 300, y: 0 } },
  ],
  edges: [{ source: "load.out", target: "train.train" }],
};

const DETAIL = [
  { ...FAILED_RUN.nodes[0], logTail: "loaded 3 rows", preview: null },
  {
    ...FAILED_RUN.nodes[1],
    logTail: "Traceback…\nValueError: no rows",
    preview: {
      dataset: "acme.features",
      port: "out",
      columns: [
        { name: "id", type: "int" },
        { name: "score", type: "float" },
      ],
      rows: [[1, 0.5]],
      rowCount: 10,
      moreColumns: 0,
    },
  },
];

function studio() {
  return answering({
    "graphql StudioRun": () => json({ data: { run: FAILED_RUN } }),
    "graphql StudioRunSpec": () => json({ data: { workflow: { version: { spec: SPEC } } } }),
    "graphql StudioNodeDetail": () => json({ data: { run: { nodes: DETAIL } } }),
    "graphql StudioRetryRun": () => json({ data: { retryRun: { id: "run-2" } } }),
  });
}

describe("the run page", () => {
  it("shows the run's state and opens a failed node's error, log and output", async () => {
    signedInAs("editor");
    renderStudio("/workflows/wf-1/runs/run-1", studio().fetch);
    expect(await screen.findByRole("heading", { name: "Run of Weekly churn, v2" }, LOAD)).toBeInTheDocument();
    expect(screen.getByText("Run failed: 1 of 2 nodes succeeded")).toHaveAttribute("role", "status");
    await userEvent.setup().click(screen.getByRole("button", { name: "train: failed (try 2)" }));
    const panel = screen.getByRole("region", { name: "Node train" });
    expect(within(panel).getByText("ValueError: no rows")).toBeInTheDocument();
    expect(within(panel).getByRole("link", { name: "Open in Airflow" })).toHaveAttribute("href", "http://airflow/log");
    expect(await within(panel).findByLabelText("Log of train", {}, LOAD)).toHaveTextContent("Traceback… ValueError: no rows");
    const table = within(panel).getByRole("table");
    expect(within(table).getAllByRole("columnheader").map((cell) => cell.textContent)).toEqual(["id", "score"]);
    expect(within(table).getAllByRole("cell").map((cell) => cell.textContent)).toEqual(["1", "0.5"]);
  });

  it("retries from the failed node and opens the new run", async () => {
    signedInAs("editor");
    const { fetch, requests } = studio();
    const router = renderStudio("/workflows/wf-1/runs/run-1", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "train: failed (try 2)" }, LOAD));
    await user.click(screen.getByRole("button", { name: "Retry from this node" }));
    await screen.findByRole("heading", { name: "Run of Weekly churn, v2" }, LOAD);
    expect(router.state.location.pathname).toBe("/workflows/wf-1/runs/run-2");
    const retry = requests.find((request) => (request.body as { operationName?: string })?.operationName === "StudioRetryRun");
    expect((retry!.body as { variables: unknown }).variables).toEqual({ id: "run-1", fromNode: "train" });
  });

  it("loads the run afresh when the retry reruns the same run", async () => {
    signedInAs("editor");
    const { fetch, requests } = answering({
      "graphql StudioRun": () => json({ data: { run: FAILED_RUN } }),
      "graphql StudioRunSpec": () => json({ data: { workflow: { version: { spec: SPEC } } } }),
      "graphql StudioNodeDetail": () => json({ data: { run: { nodes: DETAIL } } }),
      "graphql StudioRetryRun": () => json({ data: { retryRun: { id: "run-1" } } }),
    });
    renderStudio("/workflows/wf-1/runs/run-1", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "train: failed (try 2)" }, LOAD));
    await user.click(screen.getByRole("button", { name: "Retry from this node" }));
    await screen.findByRole("button", { name: "train: failed (try 2)" }, LOAD);
    const loads = () => requests.filter((request) => (request.body as { operationName?: string })?.operationName === "StudioRun");
    await waitFor(() => expect(loads()).toHaveLength(2), LOAD);
    expect(screen.queryByRole("region", { name: "Node train" })).not.toBeInTheDocument();
  });

  it("cancels a run still going, for an editor", async () => {
    signedInAs("editor");
    const running = {
      ...FAILED_RUN,
      state: "running",
      end: null,
      nodes: [node("load", "success"), node("train", "running")],
    };
    const { fetch, requests } = answering({
      "graphql StudioRun": () => json({ data: { run: running } }),
      "graphql StudioRunSpec": () => json({ data: { workflow: { version: { spec: SPEC } } } }),
      "graphql StudioCancelRun": () => json({ data: { cancelRun: { id: "run-1", state: "failed" } } }),
    });
    renderStudio("/workflows/wf-1/runs/run-1", fetch);
    await userEvent.setup().click(await screen.findByRole("button", { name: "Cancel run" }, LOAD));
    await waitFor(() =>
      expect(requests.some((request) => (request.body as { operationName?: string })?.operationName === "StudioCancelRun")).toBe(true),
    );
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("offers a viewer no retry", async () => {
    signedInAs("viewer");
    renderStudio("/workflows/wf-1/runs/run-1", studio().fetch);
    await userEvent.setup().click(await screen.findByRole("button", { name: "train: failed (try 2)" }, LOAD));
    await screen.findByLabelText("Log of train", {}, LOAD);
    expect(screen.queryByRole("button", { name: "Retry from this node" })).not.toBeInTheDocument();
  });
});
