/**
 * A node type's params schema as the form shows it. Optional params arrive as
 * `anyOf: [X, {type: "null"}]` (how the builder's models say "may be left out"); a form shows
 * them as X, left empty when not given, rather than a choice between "X" and "null".
 */

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNull(value: unknown): boolean {
  return isSchema(value) && value.type === "null" && Object.keys(value).length === 1;
}

/** The schema with every "X or null" union replaced by X (keeping title, description). */
export function formSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(formSchema);
  if (!isSchema(schema)) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) out[key] = formSchema(value);
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = out[key];
    if (!Array.isArray(options)) continue;
    const real = options.filter((option) => !isNull(option));
    if (real.length !== 1 || real.length === options.length) continue;
    delete out[key];
    // A null default means "not given": the form leaves the field empty.
    if (out.default === null) delete out.default;
    return { ...(real[0] as Schema), ...out };
  }
  return out;
}
