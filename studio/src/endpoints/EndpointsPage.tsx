import { Link } from "react-router";

import { formatTime } from "../format";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";

/** The tenant's endpoints: what each serves and its status; each opens its own page. */
export default function EndpointsPage() {
  const { marketplace } = useSignedIn();
  const loaded = useLoad(() => marketplace.endpoints(), [marketplace]);
  return (
    <section aria-labelledby="endpoints-title">
      <h1 id="endpoints-title">Endpoints</h1>
      {loaded.state === "loading" && <Loading what="endpoints" />}
      {loaded.state === "failed" && <Failure message={loaded.message} />}
      {loaded.state === "done" &&
        (loaded.data.length === 0 ? (
          <p className="muted">No endpoint yet: deploy a model from the marketplace.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Endpoint</th>
                <th>Model</th>
                <th>Version</th>
                <th>Target</th>
                <th>Status</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.map((endpoint) => (
                <tr key={endpoint.name}>
                  <td>
                    <Link to={`/endpoints/${encodeURIComponent(endpoint.name)}`}>{endpoint.name}</Link>
                  </td>
                  <td>
                    <Link to={`/marketplace/models/${encodeURIComponent(endpoint.model)}`}>{endpoint.model}</Link>
                  </td>
                  <td>{endpoint.version === null ? "—" : `v${endpoint.version}`}</td>
                  <td>{endpoint.target}</td>
                  <td>
                    {endpoint.status}
                    {endpoint.reason && <div className="muted">{endpoint.reason}</div>}
                  </td>
                  <td>{formatTime(endpoint.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
