import { describe, expect, it } from "vitest";

import { specToFlow, splitEndpoint } from "./specToFlow";

describe("specToFlow", () => {
  it("places each node where the design put it, with a handle per connected port", () => {
    const { nodes, edges } = specToFlow({
      nodes: [
        { id: "ingest", type: "kafka_ingest", ui: { x: 10, y: 20 } },
        { id: "features", type: "spark_features" },
        { id: "train", type: "train_model", ui: { x: 400, y: 20 } },
      ],
      edges: [
        { source: "ingest.events", target: "features.input" },
        { source: "features.features", target: "train.train" },
        { source: "features.features", target: "train.test" },
      ],
    });
    expect(nodes.map((node) => [node.id, node.position])).toEqual([
      ["ingest", { x: 10, y: 20 }],
      ["features", { x: 0, y: 0 }],
      ["train", { x: 400, y: 20 }],
    ]);
    expect(nodes[1].data).toEqual({ type: "spark_features", inputs: ["input"], outputs: ["features"] });
    expect(nodes[2].data.inputs).toEqual(["train", "test"]);
    expect(edges).toEqual([
      { id: "ingest.events->features.input", source: "ingest", target: "features", sourceHandle: "events", targetHandle: "input" },
      { id: "features.features->train.train", source: "features", target: "train", sourceHandle: "features", targetHandle: "train" },
      { id: "features.features->train.test", source: "features", target: "train", sourceHandle: "features", targetHandle: "test" },
    ]);
  });

  it("draws no edge to a node the design lacks, and copes with an empty design", () => {
    expect(specToFlow({ nodes: [{ id: "a", type: "t" }], edges: [{ source: "a.out", target: "gone.in" }] }).edges).toEqual([]);
    expect(specToFlow({})).toEqual({ nodes: [], edges: [] });
  });

  it("splits node.port at the first dot", () => {
    expect(splitEndpoint("a.b")).toEqual(["a", "b"]);
    expect(splitEndpoint("a")).toEqual(["a", null]);
  });
});
