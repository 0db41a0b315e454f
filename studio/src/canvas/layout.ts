/** Auto-layout: dagre layers the graph left to right, the way data flows through it. */

import dagre from "@dagrejs/dagre";

import type { WorkflowSpec } from "../api/workflows";
import { splitEndpoint } from "./specToFlow";
import type { Position } from "./specEdits";

/** About a node's drawn size, so layers and rows do not overlap. */
const NODE_WIDTH = 200;
const NODE_HEIGHT = 80;

/** Top-left positions for every node (React Flow's origin; dagre gives centres). */
export function layoutPositions(spec: WorkflowSpec): Map<string, Position> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 80, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set<string>();
  for (const node of spec.nodes ?? []) {
    ids.add(node.id);
    graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const edge of spec.edges ?? []) {
    const [source] = splitEndpoint(edge.source);
    const [target] = splitEndpoint(edge.target);
    if (ids.has(source) && ids.has(target)) graph.setEdge(source, target);
  }
  dagre.layout(graph);
  const positions = new Map<string, Position>();
  for (const id of ids) {
    const { x, y } = graph.node(id);
    positions.set(id, { x: Math.round(x - NODE_WIDTH / 2), y: Math.round(y - NODE_HEIGHT / 2) });
  }
  return positions;
}
