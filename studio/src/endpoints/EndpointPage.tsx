import { useCallback, useState } from "react";
import { Link, useParams } from "react-router";

import { formatTime } from "../format";
import { Allowed } from "../session/Allowed";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { EndpointTryIt } from "./EndpointTryIt";
import { HistoryTimeline } from "./HistoryTimeline";
import { RollbackControl } from "./RollbackControl";
import "../marketplace/marketplace.css";

/** One endpoint: what it serves, its status and history, rollback, and a try-it form. */
export default function EndpointPage() {
  const { name = "" } = useParams();
  const { marketplace } = useSignedIn();
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  const loaded = useLoad(
    () => Promise.all([marketplace.endpoint(name), marketplace.history(name)]),
    [marketplace, name, round],
  );

  return (
    <section aria-labelledby="endpoint-title" className="marketplace">
      <p>
        <Link to="/endpoints">← Endpoints</Link>
      </p>
      <h1 id="endpoint-title">Endpoint {name}</h1>
      {loaded.state === "loading" && <Loading what={`endpoint ${name}`} />}
      {loaded.state === "failed" && <Failure message={loaded.message} />}
      {/* Outside what reloads, so the rollback's progress stays in view once it is ready. */}
      <Allowed role="editor">
        <section aria-labelledby="rollback-title">
          <h2 id="rollback-title">Rollback</h2>
          <RollbackControl endpoint={name} onDone={reload} />
        </section>
      </Allowed>
      {loaded.state === "done" &&
        (() => {
          const [endpoint, history] = loaded.data;
          return (
            <>
              <dl className="card-grid" aria-label="Serves">
                <dt>Model</dt>
                <dd>
                  <Link to={`/marketplace/models/${encodeURIComponent(endpoint.model)}`}>{endpoint.model}</Link>
                </dd>
                <dt>Version</dt>
                <dd>{endpoint.version === null ? "—" : `v${endpoint.version}`}</dd>
                <dt>Target</dt>
                <dd>{endpoint.target}</dd>
                <dt>Status</dt>
                <dd>
                  {endpoint.status}
                  {endpoint.reason ? ` (${endpoint.reason})` : ""}
                </dd>
                <dt>Updated</dt>
                <dd>{formatTime(endpoint.updated_at)}</dd>
              </dl>
              <section aria-labelledby="history-title">
                <h2 id="history-title">History</h2>
                <HistoryTimeline events={history.events} />
              </section>
              {endpoint.version !== null && (
                <section aria-labelledby="try-title">
                  <h2 id="try-title">Try it</h2>
                  <EndpointTryIt endpoint={name} model={endpoint.model} version={endpoint.version} />
                </section>
              )}
            </>
          );
        })()}
    </section>
  );
}
