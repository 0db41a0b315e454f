import { describe, expect, it } from "vitest";

import type { NodeType, Port } from "../api/editor";
import { canWire, feedsFor, wiringProblem } from "./ports";

function port(name: string, type: string, many = false): Port {
  return { name, type, description: "", required: true, many };
}

function nodeType(type: string, inputs: Port[], outputs: Port[]): NodeType {
  return { type, category: "x", description: "", paramsSchema: {}, inputs, outputs };
}

const catalog = new Map(
  [
    nodeType("file_ingest", [], [port("table", "table")]),
    nodeType("train", [port("table", "table")], [port("model", "model"), port("holdout", "table")]),
    nodeType("spark_transform", [port("tables", "table", true)], [port("table", "table")]),
  ].map((type) => [type.type, type]),
);

const spec = {
  nodes: [
    { id: "in1", type: "file_ingest" },
    { id: "in2", type: "file_ingest" },
    { id: "train", type: "train" },
    { id: "join", type: "spark_transform" },
  ],
  edges: [{ source: "in1.table", target: "join.tables" }],
};

describe("wiring by the builder's rules", () => {
  it("joins an output to an input of the same type", () => {
    expect(canWire(spec, catalog, { source: "in1", sourcePort: "table", target: "train", targetPort: "table" })).toBe(true);
  });

  it("refuses different types, naming both", () => {
    expect(wiringProblem(spec, catalog, { source: "train", sourcePort: "model", target: "join", targetPort: "tables" })).toBe(
      "train.model gives a model but join.tables takes a table",
    );
  });

  it("lets a many input take more edges but a single one only one", () => {
    expect(canWire(spec, catalog, { source: "in2", sourcePort: "table", target: "join", targetPort: "tables" })).toBe(true);
    const wired = { ...spec, edges: [...spec.edges, { source: "in1.table", target: "train.table" }] };
    expect(wiringProblem(wired, catalog, { source: "in2", sourcePort: "table", target: "train", targetPort: "table" })).toBe(
      "train.table takes one edge",
    );
  });

  it("refuses missing ports and cycles", () => {
    expect(canWire(spec, catalog, { source: "in1", sourcePort: "nope", target: "train", targetPort: "table" })).toBe(false);
    expect(wiringProblem(spec, catalog, { source: "join", sourcePort: "table", target: "join", targetPort: "tables" })).toBe(
      "the edge would make a cycle",
    );
  });

  it("lists the outputs that may feed an input", () => {
    expect(feedsFor(spec, catalog, "train", "table").map((w) => `${w.source}.${w.sourcePort}`)).toEqual([
      "in1.table",
      "in2.table",
      "join.table",
    ]);
    // in1 feeds it already; train's holdout is a table too.
    expect(feedsFor(spec, catalog, "join", "tables").map((w) => `${w.source}.${w.sourcePort}`)).toEqual(["in2.table", "train.holdout"]);
  });
});
