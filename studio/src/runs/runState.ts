/**
 * A run as the run page shows it, kept current from runUpdates: pure functions, unit-tested.
 * The subscription sends one update per node whose state or try changed and one when the run's
 * own state changes; a refetch of run(id) replaces everything.
 */

import type { Edge } from "@xyflow/react";

import type { NodeRunState, Run, RunUpdate } from "../api/runs";
import type { WorkflowFlowNode } from "../canvas/specToFlow";

/** Run states after which nothing more happens (the builder's own test). */
const FINISHED = new Set(["success", "failed"]);
/** Node states that mean the node did not do its work. */
const NODE_FAILED = new Set(["failed", "upstream_failed"]);

export function isFinished(state: string): boolean {
  return FINISHED.has(state);
}

export function applyUpdate(run: Run, update: RunUpdate): Run {
  if (update.runId !== run.id) return run;
  const node = update.node;
  if (node === null) return { ...run, state: update.runState };
  const known = run.nodes.some((each) => each.nodeId === node.nodeId);
  return {
    ...run,
    state: update.runState,
    nodes: known
      ? run.nodes.map((each) => (each.nodeId === node.nodeId ? { ...each, ...node } : each))
      : [...run.nodes, node],
  };
}

/** The design's nodes, each carrying its state in this run ("pending" before Airflow has one). */
export function withStates(
  flow: { nodes: WorkflowFlowNode[]; edges: Edge[] },
  nodes: NodeRunState[],
): { nodes: WorkflowFlowNode[]; edges: Edge[] } {
  const states = new Map(nodes.map((node) => [node.nodeId, node.state ?? "pending"]));
  return {
    nodes: flow.nodes.map((node) => ({ ...node, data: { ...node.data, state: states.get(node.id) ?? "pending" } })),
    edges: flow.edges,
  };
}

/** Nodes that failed (not those skipped because of them): a retry starts from these. */
export function failedNodes(run: Pick<Run, "nodes">): NodeRunState[] {
  return run.nodes.filter((node) => node.state === "failed");
}

export function nodeFailed(node: Pick<NodeRunState, "state">): boolean {
  return node.state !== null && NODE_FAILED.has(node.state);
}

/** "3 of 5 nodes done" style progress for the live region. */
export function progress(run: Pick<Run, "state" | "nodes">): string {
  const done = run.nodes.filter((node) => node.state === "success").length;
  return `Run ${run.state}: ${done} of ${run.nodes.length} nodes succeeded`;
}
