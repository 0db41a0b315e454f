/** A template's graph as boxes and lines in a small picture: no React Flow on the gallery. */

import { splitEndpoint } from "../canvas/specToFlow";
import type { WorkflowSpec } from "../api/workflows";

export const BOX = { width: 160, height: 48 };
const GAP = 40;

export interface PreviewBox {
  id: string;
  type: string;
  x: number;
  y: number;
}

export interface PreviewLine {
  from: PreviewBox;
  to: PreviewBox;
}

export interface Preview {
  boxes: PreviewBox[];
  lines: PreviewLine[];
  viewBox: string;
}

/** Nodes where the design put them (their ui position), else side by side. */
export function graphPreview(spec: WorkflowSpec): Preview {
  const boxes = (spec.nodes ?? []).map((node, index) => ({
    id: node.id,
    type: node.type,
    x: node.ui?.x ?? index * (BOX.width + GAP),
    y: node.ui?.y ?? 0,
  }));
  const byId = new Map(boxes.map((box) => [box.id, box]));
  const lines: PreviewLine[] = [];
  for (const edge of spec.edges ?? []) {
    const from = byId.get(splitEndpoint(edge.source)[0]);
    const to = byId.get(splitEndpoint(edge.target)[0]);
    if (from && to) lines.push({ from, to });
  }
  if (boxes.length === 0) return { boxes, lines, viewBox: `0 0 ${BOX.width} ${BOX.height}` };
  const left = Math.min(...boxes.map((box) => box.x)) - GAP / 2;
  const top = Math.min(...boxes.map((box) => box.y)) - GAP / 2;
  const right = Math.max(...boxes.map((box) => box.x + BOX.width)) + GAP / 2;
  const bottom = Math.max(...boxes.map((box) => box.y + BOX.height)) + GAP / 2;
  return { boxes, lines, viewBox: `${left} ${top} ${right - left} ${bottom - top}` };
}
