/**
 * Edits of a workflow spec, each a pure function returning a new spec: the editor's history
 * keeps every state, so none of them may change the spec it is given.
 */

import type { SpecEdge, SpecNode, WorkflowSpec } from "../api/workflows";

export interface Position {
  x: number;
  y: number;
}

/** The builder's rule for node ids (NODE_ID_PATTERN): a letter, then a-z, 0-9, _; 63 at most. */
export const NODE_ID_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/** A readable, valid id not in `taken`: the type (made valid) and the first free number. */
export function uniqueId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let stem = base.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^[^a-z]+/, "");
  // A copy of "file_ingest_2" is "file_ingest_3", not "file_ingest_2_1".
  stem = stem.replace(/_\d+$/, "") || "node";
  for (let n = 1; ; n += 1) {
    const suffix = `_${n}`;
    const id = stem.slice(0, 63 - suffix.length) + suffix;
    if (!used.has(id)) return id;
  }
}

export function nodeIds(spec: WorkflowSpec): string[] {
  return (spec.nodes ?? []).map((node) => node.id);
}

export function addNode(spec: WorkflowSpec, type: string, at: Position): { spec: WorkflowSpec; id: string } {
  const id = uniqueId(type, nodeIds(spec));
  const node: SpecNode = { id, type, params: {}, ui: { x: Math.round(at.x), y: Math.round(at.y) } };
  return { spec: { ...spec, nodes: [...(spec.nodes ?? []), node] }, id };
}

/** "node.port" endpoints name the node before the first dot. */
function endpointNode(endpoint: string): string {
  const dot = endpoint.indexOf(".");
  return dot < 0 ? endpoint : endpoint.slice(0, dot);
}

/** Without the given nodes and every edge that touches one of them. */
export function removeNodes(spec: WorkflowSpec, ids: Iterable<string>): WorkflowSpec {
  const gone = new Set(ids);
  return {
    ...spec,
    nodes: (spec.nodes ?? []).filter((node) => !gone.has(node.id)),
    edges: (spec.edges ?? []).filter(
      (edge) => !gone.has(endpointNode(edge.source)) && !gone.has(endpointNode(edge.target)),
    ),
  };
}

export function edgeKey(edge: SpecEdge): string {
  return `${edge.source}->${edge.target}`;
}

export function removeEdges(spec: WorkflowSpec, keys: Iterable<string>): WorkflowSpec {
  const gone = new Set(keys);
  return { ...spec, edges: (spec.edges ?? []).filter((edge) => !gone.has(edgeKey(edge))) };
}

export function addEdge(spec: WorkflowSpec, edge: SpecEdge): WorkflowSpec {
  const edges = spec.edges ?? [];
  if (edges.some((known) => edgeKey(known) === edgeKey(edge))) return spec;
  return { ...spec, edges: [...edges, edge] };
}

/** Stores positions in each node's `ui`, where the builder keeps them; others untouched.
 * The same spec when nothing moved, so a click that was not a drag is no edit. */
export function moveNodes(spec: WorkflowSpec, positions: ReadonlyMap<string, Position>): WorkflowSpec {
  const moved = (spec.nodes ?? []).some((node) => {
    const at = positions.get(node.id);
    return at !== undefined && (Math.round(at.x) !== node.ui?.x || Math.round(at.y) !== node.ui?.y);
  });
  if (!moved) return spec;
  return {
    ...spec,
    nodes: (spec.nodes ?? []).map((node) => {
      const at = positions.get(node.id);
      return at ? { ...node, ui: { ...node.ui, x: Math.round(at.x), y: Math.round(at.y) } } : node;
    }),
  };
}

export function setParams(spec: WorkflowSpec, id: string, params: Record<string, unknown>): WorkflowSpec {
  return {
    ...spec,
    nodes: (spec.nodes ?? []).map((node) => (node.id === id ? { ...node, params } : node)),
  };
}
