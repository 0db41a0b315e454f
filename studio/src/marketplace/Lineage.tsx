import { Link } from "react-router";

import type { LineageLink } from "./lineage";

/** Workflow → dataset → run → model version → endpoint(s), as an ordered list. */
export function Lineage({ chain }: { chain: LineageLink[] }) {
  return (
    <section aria-labelledby="lineage-title">
      <h3 id="lineage-title">Lineage</h3>
      <ol className="chain" aria-label="Lineage">
        {chain.map((link) => (
          <li key={`${link.kind}:${link.text}`}>
            <span className="kind">{link.kind}</span>
            {link.to ? <Link to={link.to}>{link.text}</Link> : link.text}
            {link.detail && <span className="muted"> ({link.detail})</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}
