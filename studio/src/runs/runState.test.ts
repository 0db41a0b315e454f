import { describe, expect, it } from "vitest";

import type { NodeRunState, Run } from "../api/runs";
import { applyUpdate, isFinished, progress, stateWords, withStates } from "./runState";

function node(nodeId: string, state: string | null, extra: Partial<NodeRunState> = {}): NodeRunState {
  return { nodeId, type: "t", state, tryNumber: 1, start: null, end: null, logUrl: null, error: null, ...extra };
}

const RUN: Run = {
  id: "run-1",
  workflowId: "wf-1",
  version: 2,
  triggeredBy: "ann",
  runType: "manual",
  createdAt: "2026-03-01T10:00:00+00:00",
  recordedState: "queued",
  state: "queued",
  start: null,
  end: null,
  workflow: { id: "wf-1", name: "churn", title: "Churn" },
  nodes: [node("load", null), node("train", null)],
};

describe("applyUpdate", () => {
  it("changes the one node an update names and the run's state", () => {
    const next = applyUpdate(RUN, { runId: "run-1", runState: "running", node: node("load", "success", { tryNumber: 2 }) });
    expect(next.state).toBe("running");
    expect(next.nodes).toEqual([node("load", "success", { tryNumber: 2 }), node("train", null)]);
    expect(RUN.nodes[0].state).toBeNull();
  });

  it("takes a run-only update and a node the run did not list yet", () => {
    const finished = applyUpdate(RUN, { runId: "run-1", runState: "success", node: null });
    expect(finished.state).toBe("success");
    expect(finished.nodes).toBe(RUN.nodes);
    const grown = applyUpdate(RUN, { runId: "run-1", runState: "running", node: node("extra", "running") });
    expect(grown.nodes.map((each) => each.nodeId)).toEqual(["load", "train", "extra"]);
  });

  it("ignores another run's update", () => {
    expect(applyUpdate(RUN, { runId: "run-2", runState: "failed", node: null })).toBe(RUN);
  });
});

describe("withStates", () => {
  it("puts each node's state on the canvas node, pending when Airflow has none", () => {
    const flow = {
      nodes: ["load", "train", "new"].map((id) => ({
        id,
        type: "workflow" as const,
        position: { x: 0, y: 0 },
        data: { type: "t", inputs: [], outputs: [] },
      })),
      edges: [],
    };
    const shown = withStates(flow, [node("load", "success"), node("train", null)]);
    expect(shown.nodes.map((each) => each.data.state)).toEqual(["success", "pending", "pending"]);
  });
});

describe("run summaries", () => {
  it("knows finished runs, progress and how a state reads", () => {
    expect(isFinished("success")).toBe(true);
    expect(isFinished("failed")).toBe(true);
    expect(isFinished("running")).toBe(false);
    const run = { ...RUN, state: "failed", nodes: [node("load", "success"), node("train", "failed"), node("save", "upstream_failed")] };
    expect(progress(run)).toBe("Run failed: 1 of 3 nodes succeeded");
    expect(stateWords("upstream_failed")).toBe("upstream failed");
    expect(stateWords(null)).toBe("pending");
  });
});
