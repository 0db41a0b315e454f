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

/** What a node's state reads as before Airflow has one, on the canvas and in the list alike. */
export const NO_STATE = "pending";

/** A state as a person reads it ("upstream_failed" → "upstream failed"). */
export function stateWords(state: string | null): string {
  return (state ?? NO_STATE).replace(/_/g, " ");
}

/** The design's nodes, each carrying its state in this run (NO_STATE before Airflow has one). */
export function withStates(
  flow: { nodes: WorkflowFlowNode[]; edges: Edge[] },
  nodes: NodeRunState[],
): { nodes: WorkflowFlowNode[]; edges: Edge[] } {
  const states = new Map(nodes.map((node) => [node.nodeId, node.state ?? NO_STATE]));
  return {
    nodes: flow.nodes.map((node) => ({ ...node, data: { ...node.data, state: states.get(node.id) ?? NO_STATE } })),
    edges: flow.edges,
  };
}


/** "3 of 5 nodes done" style progress for the live region. */
export function progress(run: Pick<Run, "state" | "nodes">): string {
  const done = run.nodes.filter((node) => node.state === "success").length;
  return `Run ${run.state}: ${done} of ${run.nodes.length} nodes succeeded`;
}
