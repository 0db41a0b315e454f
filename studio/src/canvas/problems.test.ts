import { describe, expect, it } from "vitest";

import { countByNode, paramsErrors, problemNode, problemPlace } from "./problems";

const spec = { nodes: [{ id: "a", type: "file_ingest" }, { id: "b", type: "train" }] };

const problem = (field: string | null, nodeId: string | null = null, message = "bad") => ({
  code: "INVALID_PARAMS",
  message,
  nodeId,
  field,
});

describe("placing problems", () => {
  it("finds the node by id or by the field's node index", () => {
    expect(problemNode(spec, problem(null, "b"))).toBe("b");
    expect(problemNode(spec, problem("nodes.1.params.table"))).toBe("b");
    expect(problemNode(spec, problem("metadata"))).toBeNull();
    expect(countByNode(spec, [problem(null, "a"), problem("nodes.0.type"), problem("metadata")])).toEqual(new Map([["a", 2]]));
  });

  it("puts params problems on their form field, and the rest on the form", () => {
    const errors = paramsErrors(spec, "b", [
      problem("nodes.1.params.table", "b", "Field required"),
      problem("nodes.1.params.options.delimiter", "b", "too long"),
      problem("nodes.1.params", "b", "extra field"),
      problem("nodes.1.inputs.table", "b", "not connected"),
      problem("nodes.0.params.source", "a", "not mine"),
    ]);
    expect(errors).toEqual({
      __errors: ["extra field"],
      table: { __errors: ["Field required"] },
      options: { delimiter: { __errors: ["too long"] } },
    });
  });

  it("names the node and the field in it, so equal messages read apart", () => {
    expect(problemPlace("a", problem("nodes.0.params.source"))).toBe("a source");
    expect(problemPlace("a", problem("nodes.0.params"))).toBe("a");
    expect(problemPlace("b", problem("nodes.1.inputs.table"))).toBe("b inputs.table");
    expect(problemPlace("b", problem("edges.0"))).toBe("b");
    expect(problemPlace(null, problem("metadata"))).toBe("metadata");
    expect(problemPlace(null, problem(null))).toBe("workflow");
  });
});
