/** validateWorkflow's problems placed where a person looks: on a node and on a params field. */

import type { ErrorSchema } from "@rjsf/utils";

import type { Problem } from "../api/editor";
import type { WorkflowSpec } from "../api/workflows";

const NODE_FIELD = /^nodes\.(\d+)(?:\.|$)/;

/** The node a problem is about: its nodeId, else the node its field names ("nodes.2…"). */
export function problemNode(spec: WorkflowSpec, problem: Problem): string | null {
  if (problem.nodeId) return problem.nodeId;
  const match = problem.field ? NODE_FIELD.exec(problem.field) : null;
  return match ? (spec.nodes?.[Number(match[1])]?.id ?? null) : null;
}

export function countByNode(spec: WorkflowSpec, problems: Problem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const problem of problems) {
    const node = problemNode(spec, problem);
    if (node) counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return counts;
}

interface Errors {
  __errors?: string[];
  [key: string]: Errors | string[] | undefined;
}

/**
 * The node's params problems as rjsf's error schema: "nodes.2.params.table" puts the message
 * on the form's `table` field, "nodes.2.params" on the form as a whole.
 */
export function paramsErrors(spec: WorkflowSpec, nodeId: string, problems: Problem[]): ErrorSchema {
  const index = (spec.nodes ?? []).findIndex((node) => node.id === nodeId);
  const prefix = `nodes.${index}.params`;
  const root: Errors = {};
  for (const problem of problems) {
    const field = problem.field ?? "";
    if (index < 0 || (field !== prefix && !field.startsWith(`${prefix}.`))) continue;
    let at = root;
    for (const key of field.slice(prefix.length).split(".").filter(Boolean)) {
      at = (at[key] ??= {}) as Errors;
    }
    (at.__errors ??= []).push(problem.message);
  }
  return root as ErrorSchema;
}

/**
 * Where a problem is, in words for the list: the node and the field within it ("train_1
 * source", "train_1 inputs.table"), the field alone when no node ("metadata"), else nothing.
 */
export function problemPlace(node: string | null, problem: Problem): string {
  const field = (problem.field ?? "").replace(/^nodes\.\d+\.?/, "").replace(/^params\.?/, "");
  const inNode = problem.field?.startsWith("nodes.") ? field : "";
  if (node) return inNode ? `${node} ${inNode}` : node;
  return problem.field ?? "workflow";
}
