import { describe, expect, it } from "vitest";

import type { NodeType } from "../api/editor";
import { flowToSpec, toWiring, wiringToEdge } from "./flowToSpec";
import { specToFlow } from "./specToFlow";

const spec = {
  metadata: { name: "w" },
  nodes: [
    { id: "in", type: "file_ingest", params: { source: "lake://a" }, ui: { x: 1, y: 2 } },
    { id: "train", type: "train", params: {}, ui: { x: 300, y: 2 } },
  ],
  edges: [{ source: "in.table", target: "train.table" }],
};

describe("flowToSpec", () => {
  it("gives back the spec specToFlow drew", () => {
    const { nodes, edges } = specToFlow(spec);
    expect(flowToSpec(spec, nodes, edges)).toEqual(spec);
  });

  it("stores moved positions in ui and edges as node.port", () => {
    const { nodes, edges } = specToFlow(spec);
    nodes[1] = { ...nodes[1], position: { x: 400, y: 50 } };
    const next = flowToSpec(spec, nodes, []);
    expect(next.nodes?.[1].ui).toEqual({ x: 400, y: 50 });
    expect(next.edges).toEqual([]);
    expect(wiringToEdge(toWiring(edges[0])!)).toEqual(spec.edges[0]);
    expect(toWiring({ source: "a", target: "b", sourceHandle: null, targetHandle: "x" })).toBeNull();
  });

  it("draws every declared port when the node types are known", () => {
    const train: NodeType = {
      type: "train",
      category: "ml",
      description: "",
      paramsSchema: {},
      inputs: [{ name: "table", type: "table", description: "", required: true, many: false }],
      outputs: ["model", "holdout"].map((name) => ({ name, type: "x", description: "", required: false, many: false })),
    };
    const { nodes } = specToFlow(spec, new Map([["train", train]]));
    expect(nodes[1].data.outputs).toEqual(["model", "holdout"]);
    expect(nodes[0].data.outputs).toEqual(["table"]);
  });
});
