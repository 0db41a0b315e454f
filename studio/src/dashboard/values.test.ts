import { describe, expect, it } from "vitest";

import type { ValueDefinition } from "../api/insightsTypes";
import { needsQuantity, valueChange, type ValueForm } from "./values";

const FORM: ValueForm = { targetKind: "workflow", target: " churn ", basis: "per_run", amount: "5", quantity: "" };
const EXISTING: ValueDefinition = {
  id: 7,
  target_kind: "workflow",
  target: "churn",
  basis: "per_run",
  amount_usd: "2.000000",
  quantity: "1.000000",
  note: "",
  created_by: "ann",
  created_at: "2026-12-01T00:00:00Z",
  updated_at: "2026-12-01T00:00:00Z",
};

describe("valueChange", () => {
  it("creates a definition the target does not have yet", () => {
    expect(valueChange(FORM, [])).toEqual({
      kind: "create",
      input: { target_kind: "workflow", target: "churn", basis: "per_run", amount_usd: "5" },
    });
  });

  it("changes the amount of the target's definition on that basis instead of a second one", () => {
    expect(valueChange(FORM, [EXISTING])).toEqual({ kind: "update", id: 7, change: { amount_usd: "5" } });
    expect(valueChange({ ...FORM, target: "billing" }, [EXISTING]).kind).toBe("create");
  });

  it("sends a quantity only for bases that need one", () => {
    expect(needsQuantity("per_hour_saved")).toBe(true);
    const saved = valueChange({ ...FORM, basis: "per_hour_saved", amount: "40", quantity: "0.5" }, []);
    expect(saved).toEqual({
      kind: "create",
      input: { target_kind: "workflow", target: "churn", basis: "per_hour_saved", amount_usd: "40", quantity: "0.5" },
    });
  });

  it("names the field that is wrong", () => {
    expect(valueChange({ ...FORM, target: "" }, [])).toMatchObject({ kind: "invalid", field: "Workflow or endpoint" });
    expect(valueChange({ ...FORM, amount: "-3" }, [])).toMatchObject({ kind: "invalid", field: "Amount (USD)" });
    expect(valueChange({ ...FORM, basis: "per_hour_saved", quantity: "0" }, [])).toMatchObject({ kind: "invalid", field: "Quantity" });
  });
});
