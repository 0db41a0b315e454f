import type { ListingDetail } from "../api/marketplaceTypes";

/** The model's card: what it is for, who owns it, its licence, tags and aliases. */
export function ModelFacts({ model }: { model: ListingDetail }) {
  const facts: [string, string][] = [
    ["Task", model.task ?? "—"],
    ["Industry", model.industry ?? "—"],
    ["Framework", model.framework ?? "—"],
    ["Licence", model.licence ?? "—"],
    ["Owner", model.owner ?? "—"],
    [
      "Aliases",
      Object.entries(model.aliases ?? {})
        .map(([alias, version]) => `${alias} → v${version}`)
        .join(", ") || "—",
    ],
    [
      "Tags",
      Object.entries(model.tags ?? {})
        .map(([key, value]) => `${key}=${value}`)
        .join(", ") || "—",
    ],
  ];
  return (
    <section aria-labelledby="card-title" className="figure">
      <h2 id="card-title">Card</h2>
      <p>{model.description || <span className="muted">No description.</span>}</p>
      <dl className="card-grid">
        {facts.map(([label, value]) => (
          <div key={label} style={{ display: "contents" }}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
