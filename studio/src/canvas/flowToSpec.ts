/** React Flow's edits back into the spec: its "node.port" edges and each node's `ui` position. */

import type { Connection, Edge, Node } from "@xyflow/react";

import type { SpecEdge, WorkflowSpec } from "../api/workflows";
import { moveNodes, type Position } from "./specEdits";
import type { Wiring } from "./ports";

/** A finished connection as ports, or null when an end has no handle. */
export function toWiring(connection: Connection | Edge): Wiring | null {
  const { source, target, sourceHandle, targetHandle } = connection;
  if (!sourceHandle || !targetHandle) return null;
  return { source, sourcePort: sourceHandle, target, targetPort: targetHandle };
}

export function wiringToEdge(wiring: Wiring): SpecEdge {
  return { source: `${wiring.source}.${wiring.sourcePort}`, target: `${wiring.target}.${wiring.targetPort}` };
}

/** The spec with React Flow's positions and edges: the inverse of specToFlow. */
export function flowToSpec(spec: WorkflowSpec, nodes: Node[], edges: Edge[]): WorkflowSpec {
  const positions = new Map<string, Position>(nodes.map((node) => [node.id, node.position]));
  const wired = edges.map(toWiring).filter((wiring): wiring is Wiring => wiring !== null);
  return { ...moveNodes(spec, positions), edges: wired.map(wiringToEdge) };
}
