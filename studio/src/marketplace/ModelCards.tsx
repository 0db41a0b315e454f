import { Link } from "react-router";

import type { ListingSummary } from "../api/marketplaceTypes";
import { formatNumber } from "./compare";

/** Search results as cards, each a link to the model's page. */
export function ModelCards({ items }: { items: ListingSummary[] }) {
  return (
    <ul className="model-cards" aria-label="Models">
      {items.map((model) => (
        <li key={model.name} className="model-card">
          <h2>
            <Link to={`/marketplace/models/${encodeURIComponent(model.name)}`}>{model.name}</Link>
          </h2>
          <p>{model.description || <span className="muted">No description.</span>}</p>
          <p className="badges">
            {[model.task, model.industry, model.framework, model.licence]
              .filter((value): value is string => Boolean(value))
              .map((value) => (
                <span key={value} className="badge">
                  {value}
                </span>
              ))}
          </p>
          <dl className="facts">
            <div className="fact">
              <dt>Version</dt>
              <dd>{model.headline_version ?? "—"}</dd>
            </div>
            {model.owner && (
              <div className="fact">
                <dt>Owner</dt>
                <dd>{model.owner}</dd>
              </div>
            )}
            {Object.entries(model.metrics ?? {})
              .slice(0, 3)
              .map(([metric, value]) => (
                <div key={metric} className="fact">
                  <dt>{metric}</dt>
                  <dd>{formatNumber(value)}</dd>
                </div>
              ))}
          </dl>
        </li>
      ))}
    </ul>
  );
}
