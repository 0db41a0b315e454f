import { describe, expect, it } from "vitest";

import { addNode, moveNodes, NODE_ID_PATTERN, removeNodes, setParams, uniqueId } from "./specEdits";

describe("uniqueId", () => {
  it("names a node after its type with the first free number, valid by the builder's rule", () => {
    expect(uniqueId("file_ingest", [])).toBe("file_ingest_1");
    expect(uniqueId("file_ingest", ["file_ingest_1"])).toBe("file_ingest_2");
    expect(uniqueId("file_ingest_1", ["file_ingest_1"])).toBe("file_ingest_2");
    expect(uniqueId("9-Odd.Type", [])).toBe("odd_type_1");
    const long = uniqueId("x".repeat(80), []);
    expect(long).toMatch(NODE_ID_PATTERN);
  });
});

describe("spec edits", () => {
  const spec = {
    nodes: [
      { id: "a", type: "file_ingest", params: {} },
      { id: "b", type: "train", params: {} },
    ],
    edges: [{ source: "a.table", target: "b.table" }],
  };

  it("adds a node at the drop point without changing the spec it was given", () => {
    const { spec: next, id } = addNode(spec, "train", { x: 10.4, y: 20.6 });
    expect(id).toBe("train_1");
    expect(next.nodes?.at(-1)).toEqual({ id: "train_1", type: "train", params: {}, ui: { x: 10, y: 21 } });
    expect(spec.nodes).toHaveLength(2);
  });

  it("removes nodes with the edges that touch them", () => {
    expect(removeNodes(spec, ["a"])).toEqual({ nodes: [spec.nodes[1]], edges: [] });
  });

  it("keeps positions in ui and params per node", () => {
    const moved = moveNodes(spec, new Map([["b", { x: 5, y: 6 }]]));
    expect(moved.nodes?.[1].ui).toEqual({ x: 5, y: 6 });
    expect(moved.nodes?.[0].ui).toBeUndefined();
    expect(moveNodes(moved, new Map([["b", { x: 5.2, y: 6 }]]))).toBe(moved);
    expect(setParams(spec, "a", { source: "lake://x" }).nodes?.[0].params).toEqual({ source: "lake://x" });
  });
});
