/** What "Set value" sends: a new definition, or a change to the one the target already has on
 * that basis (the service allows one per basis and answers a second with 409). */

import type { Basis, TargetKind, ValueDefinition, ValueDefinitionInput } from "../api/insightsTypes";

/** Which bases fit which target (insights/schemas.py BASES_FOR), with words for each. */
export const BASES: Record<TargetKind, { basis: Basis; label: string }[]> = {
  workflow: [
    { basis: "per_run", label: "per successful run" },
    { basis: "per_alert_acted_on", label: "per alert acted on" },
    { basis: "per_customer_retained", label: "per customer retained" },
    { basis: "per_hour_saved", label: "per hour of work saved" },
  ],
  endpoint: [
    { basis: "per_prediction", label: "per prediction" },
    { basis: "per_alert_acted_on", label: "per alert acted on" },
    { basis: "per_customer_retained", label: "per customer retained" },
    { basis: "per_hour_saved", label: "per hour of work saved" },
  ],
};

/** per_run and per_prediction are the unit itself; the others need how many per unit. */
export function needsQuantity(basis: Basis): boolean {
  return basis !== "per_run" && basis !== "per_prediction";
}

export function basisLabel(basis: Basis): string {
  return [...BASES.workflow, ...BASES.endpoint].find((b) => b.basis === basis)?.label ?? basis;
}

export interface ValueForm {
  targetKind: TargetKind;
  target: string;
  basis: Basis;
  amount: string;
  quantity: string;
}

export type ValueChange =
  | { kind: "create"; input: ValueDefinitionInput }
  | { kind: "update"; id: number; change: { amount_usd: string; quantity?: string } }
  | { kind: "invalid"; field: string; message: string };

const DECIMAL = /^\d{1,12}(\.\d{1,6})?$/;

export function valueChange(form: ValueForm, existing: ValueDefinition[]): ValueChange {
  const target = form.target.trim();
  if (!target) return { kind: "invalid", field: "Workflow or endpoint", message: "name the workflow or endpoint" };
  const amount = form.amount.trim();
  if (!DECIMAL.test(amount)) {
    return { kind: "invalid", field: "Amount (USD)", message: "a number of dollars, e.g. 5 or 0.25" };
  }
  const quantity = needsQuantity(form.basis) ? form.quantity.trim() : undefined;
  if (quantity !== undefined && (!DECIMAL.test(quantity) || Number(quantity) === 0)) {
    return { kind: "invalid", field: "Quantity", message: "how many per run or prediction, more than 0" };
  }
  const same = existing.find((d) => d.target_kind === form.targetKind && d.target === target && d.basis === form.basis);
  if (same) {
    return { kind: "update", id: same.id, change: quantity === undefined ? { amount_usd: amount } : { amount_usd: amount, quantity } };
  }
  const input: ValueDefinitionInput = { target_kind: form.targetKind, target, basis: form.basis, amount_usd: amount };
  if (quantity !== undefined) input.quantity = quantity;
  return { kind: "create", input };
}
