import { describe, expect, it } from "vitest";

import { byIndustry, suggestedName, type Template } from "../api/templates";
import { graphPreview } from "./graphPreview";

describe("graphPreview", () => {
  it("draws nodes where the design put them and a line per edge between known nodes", () => {
    const preview = graphPreview({
      nodes: [
        { id: "a", type: "file_ingest", ui: { x: 0, y: 0 } },
        { id: "b", type: "train", ui: { x: 220, y: 80 } },
      ],
      edges: [
        { source: "a.table", target: "b.table" },
        { source: "a.table", target: "gone.table" },
      ],
    });
    expect(preview.boxes.map((box) => [box.id, box.x, box.y])).toEqual([
      ["a", 0, 0],
      ["b", 220, 80],
    ]);
    expect(preview.lines.map((line) => [line.from.id, line.to.id])).toEqual([["a", "b"]]);
    // Everything inside the picture, with a margin: 160-wide boxes, 48 high.
    expect(preview.viewBox).toBe("-20 -20 420 168");
  });

  it("lines up nodes without positions and draws an empty design as an empty frame", () => {
    const preview = graphPreview({ nodes: [{ id: "a", type: "t" }, { id: "b", type: "t" }] });
    expect(preview.boxes.map((box) => box.x)).toEqual([0, 200]);
    expect(graphPreview({}).boxes).toEqual([]);
  });
});

describe("templates", () => {
  const template = (id: string, title: string, industry: string): Template => ({
    id,
    title,
    industry,
    description: "",
    spec: {},
  });

  it("are grouped by industry, in alphabetical order", () => {
    const groups = byIndustry([
      template("t1", "Zeta", "retail"),
      template("t2", "Alpha", "retail"),
      template("t3", "Churn", "finance"),
      template("t4", "Misc", ""),
    ]);
    expect(groups.map(([industry, list]) => [industry, list.map((t) => t.title)])).toEqual([
      ["finance", ["Churn"]],
      ["Other", ["Misc"]],
      ["retail", ["Alpha", "Zeta"]],
    ]);
  });

  it("suggest a workflow name the builder accepts", () => {
    expect(suggestedName("customer-churn")).toBe("customer_churn");
    expect(suggestedName("Retail Demand-Forecast!")).toBe("retail_demand_forecast");
  });
});
