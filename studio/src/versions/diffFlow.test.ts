import { describe, expect, it } from "vitest";

import { defaultPair, diffFlow, showValue } from "./diffFlow";

const BEFORE = {
  nodes: [
    { id: "load", type: "csv_source", ui: { x: 0, y: 0 } },
    { id: "clean", type: "filter", params: { max: 1 }, ui: { x: 200, y: 0 } },
    { id: "old", type: "sink", ui: { x: 400, y: 100 } },
  ],
  edges: [
    { source: "load.out", target: "clean.in" },
    { source: "clean.out", target: "old.in" },
  ],
};

const AFTER = {
  nodes: [
    { id: "load", type: "csv_source", ui: { x: 0, y: 0 } },
    { id: "clean", type: "filter", params: { max: 2 }, ui: { x: 200, y: 0 } },
    { id: "save", type: "sink", ui: { x: 400, y: 0 } },
  ],
  edges: [
    { source: "load.out", target: "clean.in" },
    { source: "clean.out", target: "save.in" },
  ],
};

const DIFF = {
  nodesAdded: ["save"],
  nodesRemoved: ["old"],
  nodesChanged: [{ nodeId: "clean", fields: ["params"] }],
  edgesAdded: [{ source: "clean.out", target: "save.in" }],
  edgesRemoved: [{ source: "clean.out", target: "old.in" }],
};

describe("diffFlow", () => {
  it("draws both versions' nodes, each marked by what happened to it", () => {
    const { nodes } = diffFlow(BEFORE, AFTER, DIFF);
    expect(nodes.map((node) => [node.id, node.data.mark])).toEqual([
      ["load", undefined],
      ["clean", "changed"],
      ["save", "added"],
      ["old", "removed"],
    ]);
    // A removed node stays where the earlier version had it.
    expect(nodes[3].position).toEqual({ x: 400, y: 100 });
  });

  it("keeps removed edges and styles added and removed ones", () => {
    const { edges } = diffFlow(BEFORE, AFTER, DIFF);
    expect(edges.map((edge) => [edge.id, edge.className])).toEqual([
      ["load.out->clean.in", undefined],
      ["clean.out->save.in", "wf-edge--added"],
      ["clean.out->old.in", "wf-edge--removed"],
    ]);
  });

  it("marks a node whose only change is its place as moved, not changed", () => {
    const moved = { ...DIFF, nodesChanged: [{ nodeId: "clean", fields: ["ui"] }, { nodeId: "load", fields: ["ui", "params"] }] };
    const marks = Object.fromEntries(diffFlow(BEFORE, AFTER, moved).nodes.map((node) => [node.id, node.data.mark]));
    expect(marks.clean).toBe("moved");
    expect(marks.load).toBe("changed");
  });

  it("marks nothing when the versions are the same", () => {
    const same = { nodesAdded: [], nodesRemoved: [], nodesChanged: [], edgesAdded: [], edgesRemoved: [] };
    const { nodes, edges } = diffFlow(AFTER, AFTER, same);
    expect(nodes.every((node) => node.data.mark === undefined)).toBe(true);
    expect(edges.every((edge) => edge.className === undefined)).toBe(true);
  });
});

describe("defaultPair", () => {
  it("compares the previous version with the latest", () => {
    expect(defaultPair([1, 3, 2])).toEqual({ from: 2, to: 3 });
    expect(defaultPair([1])).toEqual({ from: 1, to: 1 });
    expect(defaultPair([])).toBeNull();
  });
});

describe("showValue", () => {
  it("shows strings bare, other JSON as JSON and absence as a dash", () => {
    expect(showValue("x")).toBe("x");
    expect(showValue({ a: [1] })).toBe('{"a":[1]}');
    expect(showValue(null)).toBe("—");
    expect(showValue(undefined)).toBe("—");
  });
});
