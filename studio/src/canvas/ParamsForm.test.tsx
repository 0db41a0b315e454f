import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ErrorSchema } from "@rjsf/utils";
import { describe, expect, it, vi } from "vitest";

import ParamsForm from "./ParamsForm";

// The shape of the builder's file_ingest params: a required string, an optional list with
// minItems (anyOf with null) inside an options object with defaults.
const SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["source"],
  properties: {
    source: { type: "string", minLength: 1, title: "Source" },
    options: { $ref: "#/$defs/Options" },
  },
  $defs: {
    Options: {
      type: "object",
      properties: {
        header: { type: "boolean", default: true, title: "Header" },
        column_names: {
          anyOf: [{ type: "array", items: { type: "string" }, minItems: 1 }, { type: "null" }],
          default: null,
          title: "Column Names",
        },
      },
    },
  },
};

describe("a node's params form", () => {
  it("is named for its node, shows the builder's problem on its field, and reports what was typed", async () => {
    const onChange = vi.fn();
    render(
      <ParamsForm nodeId="load_1" schema={SCHEMA} params={{}} errors={{ source: { __errors: ["Field required"] } } as unknown as ErrorSchema} onChange={onChange} />,
    );
    const form = screen.getByRole("form", { name: "Parameters of load_1" });
    expect(form).toHaveTextContent("Field required");
    await userEvent.setup().type(screen.getByLabelText(/^Source/), "x");
    const params = onChange.mock.lastCall![0];
    expect(params.source).toBe("x");
    // No empty list item appears for an optional list: the builder would refuse it.
    expect(params.options?.column_names).toBeUndefined();
    expect(screen.queryByRole("textbox", { name: /Column Names/ })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Add" })).toBeInTheDocument();
  });
});
