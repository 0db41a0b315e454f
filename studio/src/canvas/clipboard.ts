/** Copy and paste of nodes: the copied nodes with the edges among them, pasted under new ids. */

import type { SpecEdge, SpecNode, WorkflowSpec } from "../api/workflows";
import { nodeIds, uniqueId } from "./specEdits";
import { splitEndpoint } from "./specToFlow";

export interface Clip {
  nodes: SpecNode[];
  /** Only edges whose both ends were copied: a pasted group is wired as it was. */
  edges: SpecEdge[];
}

/** Where a paste lands relative to the copied nodes, so it does not hide them. */
export const PASTE_OFFSET = 40;

export function copyNodes(spec: WorkflowSpec, ids: Iterable<string>): Clip {
  const chosen = new Set(ids);
  return {
    nodes: (spec.nodes ?? []).filter((node) => chosen.has(node.id)),
    edges: (spec.edges ?? []).filter(
      (edge) => chosen.has(splitEndpoint(edge.source)[0]) && chosen.has(splitEndpoint(edge.target)[0]),
    ),
  };
}

function rename(endpoint: string, ids: ReadonlyMap<string, string>): string {
  const [node, port] = splitEndpoint(endpoint);
  return port === null ? ids.get(node)! : `${ids.get(node)}.${port}`;
}

/** The spec with the clip added; the new ids, in the clip's order, to select them. */
export function pasteClip(spec: WorkflowSpec, clip: Clip, offset = PASTE_OFFSET): { spec: WorkflowSpec; ids: string[] } {
  const taken = nodeIds(spec);
  const renamed = new Map<string, string>();
  for (const node of clip.nodes) {
    const id = uniqueId(node.id, taken);
    renamed.set(node.id, id);
    taken.push(id);
  }
  const nodes = clip.nodes.map((node) => ({
    ...structuredClone(node),
    id: renamed.get(node.id)!,
    ui: { ...node.ui, x: (node.ui?.x ?? 0) + offset, y: (node.ui?.y ?? 0) + offset },
  }));
  const edges = clip.edges.map((edge) => ({ source: rename(edge.source, renamed), target: rename(edge.target, renamed) }));
  return {
    spec: { ...spec, nodes: [...(spec.nodes ?? []), ...nodes], edges: [...(spec.edges ?? []), ...edges] },
    ids: [...renamed.values()],
  };
}
