/**
 * Two versions of a design as one graph for the canvas: every node and edge of either version,
 * each marked by what the diff says happened to it. Pure, unit-tested.
 */

import type { Edge } from "@xyflow/react";

import type { WorkflowDiff } from "../api/versions";
import type { SpecEdge, WorkflowSpec } from "../api/workflows";
import { specToFlow, type WorkflowFlowNode } from "../canvas/specToFlow";

export type Mark = "added" | "removed" | "changed" | "moved";

/** Only its place on the canvas changed: what it does is the same, so it is "moved". */
export function movedOnly(change: { fields: string[] }): boolean {
  return change.fields.length > 0 && change.fields.every((field) => field === "ui");
}

/** The class an edge gets, so the legend and the canvas agree. */
export const EDGE_CLASS = { added: "wf-edge--added", removed: "wf-edge--removed" } as const;

const edgeKey = (edge: SpecEdge) => `${edge.source}->${edge.target}`;

/** The later version's graph plus whatever the earlier one had that it lost. */
export function diffFlow(
  fromSpec: WorkflowSpec,
  toSpec: WorkflowSpec,
  diff: Pick<WorkflowDiff, "nodesAdded" | "nodesRemoved" | "nodesChanged" | "edgesAdded" | "edgesRemoved">,
): { nodes: WorkflowFlowNode[]; edges: Edge[] } {
  const removedNodes = new Set(diff.nodesRemoved);
  const removedEdges = new Set(diff.edgesRemoved.map(edgeKey));
  const union: WorkflowSpec = {
    nodes: [...(toSpec.nodes ?? []), ...(fromSpec.nodes ?? []).filter((node) => removedNodes.has(node.id))],
    edges: [...(toSpec.edges ?? []), ...(fromSpec.edges ?? []).filter((edge) => removedEdges.has(edgeKey(edge)))],
  };
  const flow = specToFlow(union);

  const marks = new Map<string, Mark>();
  for (const id of diff.nodesAdded) marks.set(id, "added");
  for (const id of diff.nodesRemoved) marks.set(id, "removed");
  for (const change of diff.nodesChanged) marks.set(change.nodeId, movedOnly(change) ? "moved" : "changed");
  const addedEdges = new Set(diff.edgesAdded.map(edgeKey));

  return {
    nodes: flow.nodes.map((node) => {
      const mark = marks.get(node.id);
      return mark ? { ...node, data: { ...node.data, mark } } : node;
    }),
    edges: flow.edges.map((edge) => {
      // specToFlow names an edge "source->target" after the spec's endpoints, as the diff does.
      if (addedEdges.has(edge.id)) return { ...edge, className: EDGE_CLASS.added, label: "added" };
      if (removedEdges.has(edge.id)) return { ...edge, className: EDGE_CLASS.removed, label: "removed" };
      return edge;
    }),
  };
}

/** The default comparison: the version before the latest against the latest. */
export function defaultPair(numbers: number[]): { from: number; to: number } | null {
  if (numbers.length === 0) return null;
  const sorted = [...numbers].sort((a, b) => b - a);
  return { from: sorted[1] ?? sorted[0], to: sorted[0] };
}

/** A JSON value as a short readable cell; absent is a dash. */
export function showValue(value: unknown): string {
  if (value === undefined || value === null) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}
