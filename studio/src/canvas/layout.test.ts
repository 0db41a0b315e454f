import { describe, expect, it } from "vitest";

import { layoutPositions } from "./layout";

describe("auto-layout", () => {
  it("puts each node to the right of what feeds it, and side branches apart", () => {
    const positions = layoutPositions({
      nodes: ["a", "b", "c", "d"].map((id) => ({ id, type: "t" })),
      edges: [
        { source: "a.out", target: "b.in" },
        { source: "a.out", target: "c.in" },
        { source: "b.out", target: "d.in" },
        { source: "gone.out", target: "d.in" },
      ],
    });
    const at = (id: string) => positions.get(id)!;
    expect(at("b").x).toBeGreaterThan(at("a").x);
    expect(at("d").x).toBeGreaterThan(at("b").x);
    expect(at("b").x).toBe(at("c").x);
    expect(at("b").y).not.toBe(at("c").y);
    expect(positions.size).toBe(4);
  });
});
