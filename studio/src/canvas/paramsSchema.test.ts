import { describe, expect, it } from "vitest";

import { formSchema } from "./paramsSchema";

describe("the params form's schema", () => {
  it("shows an optional param as its one real type, keeping its title and description", () => {
    expect(
      formSchema({
        type: "object",
        properties: {
          columns: { anyOf: [{ type: "array", items: { type: "string" } }, { type: "null" }], default: null, title: "Columns" },
          name: { type: "string" },
        },
        $defs: { Opt: { properties: { key: { anyOf: [{ type: "string" }, { type: "null" }], description: "d" } } } },
      }),
    ).toEqual({
      type: "object",
      properties: {
        columns: { type: "array", items: { type: "string" }, title: "Columns" },
        name: { type: "string" },
      },
      $defs: { Opt: { properties: { key: { type: "string", description: "d" } } } },
    });
  });

  it("keeps a real choice between several types", () => {
    const choice = { anyOf: [{ type: "string" }, { type: "integer" }, { type: "null" }] };
    expect(formSchema(choice)).toEqual(choice);
  });
});
