import { useState } from "react";

import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useDebounced } from "../useDebounced";
import { useLoad } from "../useLoad";

/** The models the tenant can find in the marketplace (search; model pages come later). */
export default function MarketplacePage() {
  const { marketplace } = useSignedIn();
  const [search, setSearch] = useState("");
  const settled = useDebounced(search, 300);
  const loaded = useLoad(() => marketplace.searchModels(settled), [marketplace, settled]);
  return (
    <section aria-labelledby="marketplace-title">
      <h1 id="marketplace-title">Marketplace</h1>
      <input
        type="search"
        aria-label="Search models"
        placeholder="Search models"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      {loaded.state === "loading" && <Loading what="models" />}
      {loaded.state === "failed" && <Failure message={loaded.message} />}
      {loaded.state === "done" &&
        (loaded.data.items.length === 0 ? (
          <p className="muted">No model found.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Model</th>
                <th>Task</th>
                <th>Industry</th>
                <th>Framework</th>
                <th>Version</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.items.map((model) => (
                <tr key={model.name}>
                  <td>
                    {model.name}
                    <div className="muted">{model.description}</div>
                  </td>
                  <td>{model.task ?? "—"}</td>
                  <td>{model.industry ?? "—"}</td>
                  <td>{model.framework ?? "—"}</td>
                  <td>{model.headline_version ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
