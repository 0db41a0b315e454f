/** The workflow spec as React Flow's nodes and edges: one pure function, unit-tested. */

import type { Edge, Node } from "@xyflow/react";

import type { NodeType } from "../api/editor";
import type { WorkflowSpec } from "../api/workflows";

export interface WorkflowNodeData extends Record<string, unknown> {
  type: string;
  /** Ports, a handle each: every port its type declares (when the node types are known), then
   * any other port the design connects, in the order first met. */
  inputs: string[];
  outputs: string[];
  /** A run's state for this node (success, failed, running, queued, upstream_failed, skipped). */
  state?: string;
  /** How a version diff marks it. */
  mark?: "added" | "removed" | "changed" | "moved";
  /** How many problems validation found on it. */
  problems?: number;
}

export type WorkflowFlowNode = Node<WorkflowNodeData, "workflow">;

/** "node.port" as [node, port]; a bare node id has no port. */
export function splitEndpoint(endpoint: string): [string, string | null] {
  const dot = endpoint.indexOf(".");
  return dot < 0 ? [endpoint, null] : [endpoint.slice(0, dot), endpoint.slice(dot + 1)];
}

function addOnce(list: string[], value: string | null) {
  if (value !== null && !list.includes(value)) list.push(value);
}

export function specToFlow(
  spec: WorkflowSpec,
  catalog?: ReadonlyMap<string, NodeType>,
): { nodes: WorkflowFlowNode[]; edges: Edge[] } {
  const specNodes = spec.nodes ?? [];
  const ports = new Map(
    specNodes.map((node) => {
      const declared = catalog?.get(node.type);
      return [
        node.id,
        {
          inputs: declared?.inputs.map((port) => port.name) ?? [],
          outputs: declared?.outputs.map((port) => port.name) ?? [],
        },
      ];
    }),
  );
  const edges: Edge[] = [];
  for (const edge of spec.edges ?? []) {
    const [source, sourcePort] = splitEndpoint(edge.source);
    const [target, targetPort] = splitEndpoint(edge.target);
    // An edge to a node the spec lacks is a validation problem, not something to draw.
    if (!ports.has(source) || !ports.has(target)) continue;
    addOnce(ports.get(source)!.outputs, sourcePort);
    addOnce(ports.get(target)!.inputs, targetPort);
    edges.push({
      id: `${edge.source}->${edge.target}`,
      source,
      target,
      sourceHandle: sourcePort,
      targetHandle: targetPort,
    });
  }
  const nodes: WorkflowFlowNode[] = specNodes.map((node) => ({
    id: node.id,
    type: "workflow",
    position: { x: node.ui?.x ?? 0, y: node.ui?.y ?? 0 },
    data: { type: node.type, ...ports.get(node.id)! },
  }));
  return { nodes, edges };
}
