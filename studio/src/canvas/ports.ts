/**
 * Which output may feed which input, by the builder's own rules (plugins/airloom/workflow/
 * validation.py): both ports exist, their types are equal, an input that is not `many` takes
 * one edge, and the graph stays acyclic. The canvas refuses what validation would report.
 */

import type { NodeType, Port } from "../api/editor";
import type { WorkflowSpec } from "../api/workflows";
import { splitEndpoint } from "./specToFlow";

export interface Wiring {
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

type Catalog = ReadonlyMap<string, NodeType>;

function nodeType(spec: WorkflowSpec, catalog: Catalog, id: string): NodeType | undefined {
  const node = (spec.nodes ?? []).find((candidate) => candidate.id === id);
  return node ? catalog.get(node.type) : undefined;
}

export function outputPort(spec: WorkflowSpec, catalog: Catalog, id: string, port: string): Port | undefined {
  return nodeType(spec, catalog, id)?.outputs.find((candidate) => candidate.name === port);
}

export function inputPort(spec: WorkflowSpec, catalog: Catalog, id: string, port: string): Port | undefined {
  return nodeType(spec, catalog, id)?.inputs.find((candidate) => candidate.name === port);
}

/** Whether `to` can be reached from `from` along the spec's edges. */
function reaches(spec: WorkflowSpec, from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const edge of spec.edges ?? []) {
    const [source] = splitEndpoint(edge.source);
    const [target] = splitEndpoint(edge.target);
    next.set(source, [...(next.get(source) ?? []), target]);
  }
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === to) return true;
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...(next.get(node) ?? []));
  }
  return false;
}

/** Why the builder would refuse this edge, or null when it joins two compatible ports. */
export function wiringProblem(spec: WorkflowSpec, catalog: Catalog, wiring: Wiring): string | null {
  const { source, sourcePort, target, targetPort } = wiring;
  const out = outputPort(spec, catalog, source, sourcePort);
  const into = inputPort(spec, catalog, target, targetPort);
  if (!out) return `${source} has no output ${sourcePort}`;
  if (!into) return `${target} has no input ${targetPort}`;
  if (out.type !== into.type) return `${source}.${sourcePort} gives a ${out.type} but ${target}.${targetPort} takes a ${into.type}`;
  const to = `${target}.${targetPort}`;
  const edges = spec.edges ?? [];
  if (edges.some((edge) => edge.source === `${source}.${sourcePort}` && edge.target === to)) {
    return "these ports are already connected";
  }
  if (!into.many && edges.some((edge) => edge.target === to)) return `${to} takes one edge`;
  if (source === target || reaches(spec, target, source)) return "the edge would make a cycle";
  return null;
}

export function canWire(spec: WorkflowSpec, catalog: Catalog, wiring: Wiring): boolean {
  return wiringProblem(spec, catalog, wiring) === null;
}

/** Every output that may feed `target`'s input `targetPort` now, as wirings: the keyboard's
 * way to connect what a mouse drags. */
export function feedsFor(spec: WorkflowSpec, catalog: Catalog, target: string, targetPort: string): Wiring[] {
  const found: Wiring[] = [];
  for (const node of spec.nodes ?? []) {
    for (const port of catalog.get(node.type)?.outputs ?? []) {
      const wiring = { source: node.id, sourcePort: port.name, target, targetPort };
      if (canWire(spec, catalog, wiring)) found.push(wiring);
    }
  }
  return found;
}
