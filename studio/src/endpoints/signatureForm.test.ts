import { describe, expect, it } from "vitest";

import { formFields, initialValues, showPrediction, toPayload } from "./signatureForm";

const INPUTS = [
  { name: "n_events", type: "long" },
  { name: "avg_spend", type: "double" },
  { name: "plan", type: "string", required: false },
  { name: "active", type: "boolean" },
];

describe("a signature as a try-it form", () => {
  it("gives one typed field per input column", () => {
    expect(formFields(INPUTS)?.map((f) => [f.column, f.kind, f.required])).toEqual([
      ["n_events", "integer", true],
      ["avg_spend", "number", true],
      ["plan", "text", false],
      ["active", "boolean", true],
    ]);
  });

  it("has no form for tensors or no signature", () => {
    expect(formFields(null)).toBeNull();
    expect(formFields([{ type: "tensor" }])).toBeNull();
  });

  it("starts from the input example's first row, split or records", () => {
    const fields = formFields(INPUTS)!;
    const split = { columns: ["n_events", "avg_spend"], data: [[3, 6.5], [4, 7]] };
    expect(initialValues(fields, split)).toEqual({ n_events: "3", avg_spend: "6.5", plan: "", active: "" });
    expect(initialValues(fields, { dataframe_records: [{ plan: "pro", active: true }] })).toMatchObject({
      plan: "pro",
      active: "true",
    });
    // The registry's example info holds no values: the fields start empty.
    expect(initialValues(fields, { artifact_path: "input_example.json" }).n_events).toBe("");
  });
});

describe("the form back to a scoring request", () => {
  const fields = formFields(INPUTS)!;

  it("sends one dataframe_split row with typed values", () => {
    expect(toPayload(fields, { n_events: "3", avg_spend: "6.5", plan: "", active: "false" })).toEqual({
      ok: true,
      payload: {
        dataframe_split: { columns: ["n_events", "avg_spend", "plan", "active"], data: [[3, 6.5, null, false]] },
      },
    });
  });

  it("names each wrong field", () => {
    const answer = toPayload(fields, { n_events: "3.5", avg_spend: "lots", plan: "", active: "" });
    expect(answer).toEqual({
      ok: false,
      problems: [
        { column: "n_events", message: "must be a whole number" },
        { column: "avg_spend", message: "must be a number" },
        { column: "active", message: "is required" },
      ],
    });
  });
});

it("shows one row's prediction alone", () => {
  expect(showPrediction([1])).toBe("1");
  expect(showPrediction([0, 1])).toBe("[0,1]");
  expect(showPrediction([{ label: "yes" }])).toBe('{"label":"yes"}');
});
