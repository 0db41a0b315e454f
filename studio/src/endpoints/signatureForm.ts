/**
 * A model's signature as a try-it form and back: one field per input column, typed as the
 * signature says, then the row as MLflow's scoring protocol takes it ({"dataframe_split": …}).
 */

import type { SignatureField } from "../api/marketplaceTypes";

export type FieldKind = "integer" | "number" | "boolean" | "text";

export interface FormField {
  column: string;
  kind: FieldKind;
  /** The signature's type, shown beside the label ("double", "long"). */
  type: string;
  required: boolean;
}

const INTEGERS = new Set(["long", "integer", "int", "int32", "int64"]);
const NUMBERS = new Set(["double", "float", "float32", "float64"]);

function kindOf(type: string): FieldKind {
  if (INTEGERS.has(type)) return "integer";
  if (NUMBERS.has(type)) return "number";
  if (type === "boolean") return "boolean";
  return "text";
}

/** The signature's named input columns; tensors and unnamed inputs have no form (null). */
export function formFields(inputs: SignatureField[] | null | undefined): FormField[] | null {
  if (!inputs || inputs.length === 0) return null;
  if (inputs.some((input) => !input.name || input.type === "tensor")) return null;
  return inputs.map((input) => ({
    column: input.name as string,
    kind: kindOf(input.type),
    type: input.type,
    required: input.required ?? true,
  }));
}

type Row = Record<string, unknown>;

/** The first row of an input example, whichever way it was written. */
function firstRow(example: unknown): Row | null {
  if (!example || typeof example !== "object") return null;
  if (Array.isArray(example)) return (example[0] as Row | undefined) ?? null;
  const record = example as Record<string, unknown>;
  if (record.dataframe_split) return firstRow(record.dataframe_split);
  if (record.dataframe_records) return firstRow(record.dataframe_records);
  if (Array.isArray(record.columns) && Array.isArray(record.data) && Array.isArray(record.data[0])) {
    const values = record.data[0] as unknown[];
    return Object.fromEntries((record.columns as string[]).map((column, i) => [column, values[i]]));
  }
  return null;
}

/** Starting values: the input example's first row where there is one, else empty. */
export function initialValues(fields: FormField[], example: unknown): Record<string, string> {
  const row = firstRow(example) ?? {};
  return Object.fromEntries(
    fields.map((field) => {
      const value = row[field.column];
      return [field.column, value === undefined || value === null ? "" : String(value)];
    }),
  );
}

export type Payload =
  | { ok: true; payload: { dataframe_split: { columns: string[]; data: unknown[][] } } }
  | { ok: false; problems: { column: string; message: string }[] };

function parse(field: FormField, text: string): { value: unknown } | { message: string } {
  const raw = text.trim();
  if (raw === "") return field.required ? { message: "is required" } : { value: null };
  switch (field.kind) {
    case "integer":
      return /^-?\d+$/.test(raw) ? { value: Number(raw) } : { message: "must be a whole number" };
    case "number":
      return Number.isFinite(Number(raw)) ? { value: Number(raw) } : { message: "must be a number" };
    case "boolean":
      return raw === "true" || raw === "false" ? { value: raw === "true" } : { message: "must be true or false" };
    default:
      return { value: text };
  }
}

/** One row to predict, each value of its column's type, or what is wrong in which field. */
export function toPayload(fields: FormField[], values: Record<string, string>): Payload {
  const problems: { column: string; message: string }[] = [];
  const row: unknown[] = [];
  for (const field of fields) {
    const parsed = parse(field, values[field.column] ?? "");
    if ("message" in parsed) problems.push({ column: field.column, message: parsed.message });
    else row.push(parsed.value);
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, payload: { dataframe_split: { columns: fields.map((f) => f.column), data: [row] } } };
}

/** A prediction as text: one row's answer alone, else the JSON. */
export function showPrediction(predictions: unknown): string {
  const single = Array.isArray(predictions) && predictions.length === 1 ? predictions[0] : predictions;
  return typeof single === "object" && single !== null ? JSON.stringify(single) : String(single);
}
