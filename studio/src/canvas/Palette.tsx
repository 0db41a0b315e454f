import { useId, useMemo, useState, type DragEvent } from "react";

import type { NodeType } from "../api/editor";
import { NODE_TYPE_MEDIA, paletteGroups } from "./palette";

interface PaletteProps {
  types: NodeType[];
  /** A click or Enter on an item: the keyboard's way to add what a mouse drags. */
  onAdd(type: string): void;
}

function startDrag(event: DragEvent, type: string) {
  event.dataTransfer.setData(NODE_TYPE_MEDIA, type);
  event.dataTransfer.setData("text/plain", type);
  event.dataTransfer.effectAllowed = "copy";
}

/** The node types to add, by category, with a search; drag one onto the canvas or press it. */
export function Palette({ types, onAdd }: PaletteProps) {
  const [search, setSearch] = useState("");
  const groups = useMemo(() => paletteGroups(types, search), [types, search]);
  const searchId = useId();
  return (
    <section className="palette" aria-label="Node palette">
      <label htmlFor={searchId} className="palette-search-label">
        Search node types
      </label>
      <input id={searchId} type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
      {groups.length === 0 && <p className="muted">No node type matches “{search}”.</p>}
      {groups.map((group) => (
        <div key={group.category} className="palette-group">
          <h2>{group.category}</h2>
          <ul>
            {group.types.map((type) => (
              <li key={type.type}>
                <button
                  type="button"
                  draggable
                  onDragStart={(event) => startDrag(event, type.type)}
                  onClick={() => onAdd(type.type)}
                  title={type.description}
                >
                  {type.type}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
