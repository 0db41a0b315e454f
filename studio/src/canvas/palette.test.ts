import { describe, expect, it } from "vitest";

import type { NodeType } from "../api/editor";
import { paletteGroups } from "./palette";

const type = (name: string, category: string, description = ""): NodeType => ({
  type: name,
  category,
  description,
  paramsSchema: {},
  inputs: [],
  outputs: [],
});

const types = [type("train", "ml", "Train a model"), type("file_ingest", "ingest", "Read files"), type("evaluate", "ml", "Score a model")];

describe("palette groups", () => {
  it("groups by category, both sorted", () => {
    expect(paletteGroups(types, "").map((group) => [group.category, group.types.map((t) => t.type)])).toEqual([
      ["ingest", ["file_ingest"]],
      ["ml", ["evaluate", "train"]],
    ]);
  });

  it("finds by type, category or description, every word", () => {
    expect(paletteGroups(types, "MODEL score").flatMap((group) => group.types.map((t) => t.type))).toEqual(["evaluate"]);
    expect(paletteGroups(types, "ingest")[0].types[0].type).toBe("file_ingest");
    expect(paletteGroups(types, "nothing like it")).toEqual([]);
  });
});
