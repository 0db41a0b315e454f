import { formatTime } from "../format";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";

/** The tenant's endpoints: what each serves and its status. */
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
                  <td>{endpoint.name}</td>
                  <td>{endpoint.model}</td>
                  <td>{endpoint.version ?? "—"}</td>
                  <td>{endpoint.target}</td>
                  <td title={endpoint.reason ?? undefined}>{endpoint.status}</td>
                  <td>{formatTime(endpoint.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
