import { describe, expect, it } from "vitest";

import { copyNodes, pasteClip, PASTE_OFFSET } from "./clipboard";

const spec = {
  nodes: [
    { id: "in_1", type: "file_ingest", params: { source: "lake://a" }, ui: { x: 0, y: 0 } },
    { id: "train_1", type: "train", params: {}, ui: { x: 200, y: 0 } },
    { id: "other", type: "train" },
  ],
  edges: [
    { source: "in_1.table", target: "train_1.table" },
    { source: "in_1.table", target: "other.table" },
  ],
};

describe("copy and paste", () => {
  it("pastes copies under new ids, offset, wired among themselves only", () => {
    const clip = copyNodes(spec, ["in_1", "train_1"]);
    expect(clip.edges).toEqual([spec.edges[0]]);
    const { spec: next, ids } = pasteClip(spec, clip);
    expect(ids).toEqual(["in_2", "train_2"]);
    expect(next.nodes?.slice(3).map((node) => [node.id, node.ui])).toEqual([
      ["in_2", { x: PASTE_OFFSET, y: PASTE_OFFSET }],
      ["train_2", { x: 200 + PASTE_OFFSET, y: PASTE_OFFSET }],
    ]);
    expect(next.edges?.at(-1)).toEqual({ source: "in_2.table", target: "train_2.table" });
    expect(next.nodes?.[3].params).toEqual({ source: "lake://a" });
    expect(next.nodes?.[3].params).not.toBe(spec.nodes[0].params);
  });

  it("pasting twice gives fresh ids again", () => {
    const clip = copyNodes(spec, ["in_1"]);
    const once = pasteClip(spec, clip).spec;
    expect(pasteClip(once, clip).ids).toEqual(["in_3"]);
  });
});
