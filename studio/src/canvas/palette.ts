/** The palette's groups: node types by category, filtered by what a person typed. */

import type { NodeType } from "../api/editor";

export interface PaletteGroup {
  category: string;
  types: NodeType[];
}

/** Matches type, category or description, ignoring case; groups and types sorted by name. */
export function paletteGroups(types: NodeType[], search: string): PaletteGroup[] {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<string, NodeType[]>();
  for (const type of types) {
    const text = `${type.type} ${type.category} ${type.description}`.toLowerCase();
    if (!words.every((word) => text.includes(word))) continue;
    groups.set(type.category, [...(groups.get(type.category) ?? []), type]);
  }
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, list]) => ({ category, types: list.sort((a, b) => a.type.localeCompare(b.type)) }));
}

/** The drag payload's media type: only the palette's drags add nodes on drop. */
export const NODE_TYPE_MEDIA = "application/x-airloom-node-type";
