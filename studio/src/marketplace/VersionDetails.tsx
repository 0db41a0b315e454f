import { useCallback, useState } from "react";

import type { EndpointSummary } from "../api/marketplaceTypes";
import { Allowed } from "../session/Allowed";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { BenchmarkFigures } from "./BenchmarkFigures";
import { CheckButton } from "./CheckButton";
import { formatBytes, formatNumber } from "./compare";
import { DeployDialog } from "./DeployDialog";
import { Lineage } from "./Lineage";
import { lineageChain } from "./lineage";
import { ValidationReport } from "./ValidationReport";

interface Props {
  model: string;
  version: number;
  endpoints: EndpointSummary[];
}

/** One version: metrics, lineage, validation and benchmark, and (for editors) its actions. */
export function VersionDetails({ model, version, endpoints }: Props) {
  const { marketplace } = useSignedIn();
  const [round, setRound] = useState(0);
  const [deploying, setDeploying] = useState(false);
  const loaded = useLoad(() => marketplace.version(model, version), [marketplace, model, version, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);

  if (loaded.state === "loading") return <Loading what={`v${version}`} />;
  if (loaded.state === "failed") return <Failure message={loaded.message} />;
  const detail = loaded.data;
  const levels = detail.benchmark?.report.levels ?? [];
  return (
    <section aria-labelledby="version-title">
      <div className="page-head">
        <h2 id="version-title">
          {model} v{version}
        </h2>
        <Allowed role="editor">
          <div className="actions">
            <button type="button" onClick={() => setDeploying(true)}>
              Deploy
            </button>
            <CheckButton kind="validation" model={model} version={version} onResult={reload} />
            <CheckButton kind="benchmark" model={model} version={version} onResult={reload} />
          </div>
        </Allowed>
      </div>
      {detail.description && <p>{detail.description}</p>}
      <p className="muted">
        {detail.framework ?? "unknown framework"} · {formatBytes(detail.size_bytes)} · {detail.status}
      </p>
      {detail.details_error && <p className="error">Some details are missing: {detail.details_error}</p>}
      {Object.keys(detail.metrics).length > 0 && (
        <table>
          <caption className="visually-hidden">Metrics of v{version}</caption>
          <thead>
            <tr>
              <th>Metric</th>
              <th>Value</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(detail.metrics).map(([metric, value]) => (
              <tr key={metric}>
                <td>{metric}</td>
                <td>{formatNumber(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Lineage chain={lineageChain(model, version, detail.lineage ?? {}, endpoints)} />
      <ValidationReport result={detail.validation} />
      <section aria-labelledby="benchmark-title">
        <h3 id="benchmark-title">Benchmark: {detail.benchmark?.status ?? "not run"}</h3>
        {levels.length > 0 && <BenchmarkFigures levels={levels} mode={detail.benchmark?.report.mode} />}
      </section>
      {deploying && <DeployDialog version={detail} onClose={() => setDeploying(false)} />}
    </section>
  );
}
