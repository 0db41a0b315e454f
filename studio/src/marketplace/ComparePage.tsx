import { Link, useSearchParams } from "react-router";

import type { Comparison } from "../api/marketplaceTypes";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { formatBytes, formatNumber, metricRows, refsFromQuery } from "./compare";
import "./marketplace.css";

function benchmarkText(benchmark: Comparison["versions"][number]["benchmark"]): string {
  const levels = benchmark?.levels ?? [];
  if (!levels.length) return benchmark?.status ?? "not run";
  return levels.map((l) => `×${l.concurrency}: p95 ${formatNumber(l.p95_ms)} ms, ${formatNumber(l.throughput_rps)} rps`).join("; ");
}

function CompareTable({ comparison }: { comparison: Comparison }) {
  const { versions } = comparison;
  const compatibility = comparison.signature_compatibility;
  return (
    <table>
      <caption className="visually-hidden">Versions side by side; the first is the baseline</caption>
      <thead>
        <tr>
          <th scope="col">Compared</th>
          {versions.map((v, index) => (
            <th scope="col" key={`${v.name}:${v.version}`}>
              <Link to={`/marketplace/models/${encodeURIComponent(v.name)}`}>
                {v.name} v{v.version}
              </Link>
              {index === 0 && <div className="muted">baseline</div>}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {metricRows(comparison).map((row) => (
          <tr key={row.metric}>
            <th scope="row">{row.metric}</th>
            {row.cells.map((cell, index) => (
              <td key={index} className={cell.best ? "best" : undefined}>
                {formatNumber(cell.value)}
                {cell.best && <span className="best-mark">best</span>}
              </td>
            ))}
          </tr>
        ))}
        <tr>
          <th scope="row">Framework</th>
          {versions.map((v, i) => <td key={i}>{v.framework ?? "—"}</td>)}
        </tr>
        <tr>
          <th scope="row">Size</th>
          {versions.map((v, i) => <td key={i}>{formatBytes(v.size_bytes)}</td>)}
        </tr>
        <tr>
          <th scope="row">Validation</th>
          {versions.map((v, i) => <td key={i}>{v.validation_status}</td>)}
        </tr>
        <tr>
          <th scope="row">Benchmark</th>
          {versions.map((v, i) => <td key={i}>{benchmarkText(v.benchmark)}</td>)}
        </tr>
        <tr>
          <th scope="row">Signature (against the baseline)</th>
          {compatibility.map((c, i) => (
            <td key={i}>
              <strong>{c.verdict}</strong>
              {c.reasons.length > 0 && (
                <ul>
                  {c.reasons.map((reason) => (
                    <li key={reason}>{reason}</li>
                  ))}
                </ul>
              )}
            </td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}

/** 2–5 versions side by side (?v=name:1&v=name:2): metrics with the best marked, and more. */
export default function ComparePage() {
  const { marketplace } = useSignedIn();
  const [query] = useSearchParams();
  const { refs, problem } = refsFromQuery(query);
  const key = refs.map((r) => `${r.name}:${r.version}`).join(",");
  const loaded = useLoad(
    () => (problem ? Promise.reject(new Error(problem)) : marketplace.compare(refs)),
    [marketplace, key, problem],
  );
  return (
    <section aria-labelledby="compare-title" className="marketplace">
      <p>
        <Link to="/marketplace">← Marketplace</Link>
      </p>
      <h1 id="compare-title">Compare versions</h1>
      {loaded.state === "loading" && <Loading what="the comparison" />}
      {loaded.state === "failed" && <Failure message={loaded.message} />}
      {loaded.state === "done" && <CompareTable comparison={loaded.data} />}
    </section>
  );
}
