import type { Insight } from "../api/insightsTypes";
import { Failure, Loading } from "../Status";
import { formatUsd } from "./figures";

/** What changed, one sentence each, highest score first (the service's automated insights). */
export function InsightsList({ insights, error }: { insights: Insight[] | null | undefined; error: string | null }) {
  return (
    <section aria-labelledby="insights-title" className="dash-card">
      <h2 id="insights-title">Insights</h2>
      {error && <Failure message={`Insights not loaded: ${error}`} />}
      {insights === undefined && !error && <Loading what="insights" />}
      {(insights === null || insights?.length === 0) && (
        <p className="muted">No automated insights yet: they appear once the hourly job finds something that changed.</p>
      )}
      {insights && insights.length > 0 && (
        <ol className="dash-insights">
          {insights.map((insight) => (
            <li key={`${insight.kind}/${insight.subject_kind}/${insight.subject}/${insight.period_start}`}>
              {insight.sentence}
              {insight.impact_usd !== null && <span className="muted"> ({formatUsd(insight.impact_usd)} at stake)</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
