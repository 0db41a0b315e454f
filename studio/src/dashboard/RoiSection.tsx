import { lazy, Suspense } from "react";

import type { Roi } from "../api/insightsTypes";
import { Failure, Loading } from "../Status";
import { formatCount, formatRoi, formatUsd, seriesByPeriod, totalsByKey } from "./figures";

const RoiCharts = lazy(() => import("./RoiCharts"));

/** ROI by workflow and over time: the charts, and the same figures as tables (the charts'
 * text alternative, and what a person copies from). */
export function RoiSection({ byWorkflow, overall, error }: { byWorkflow: Roi | undefined; overall: Roi | undefined; error: string | null }) {
  const byKey = byWorkflow ? totalsByKey(byWorkflow.rows) : [];
  const byPeriod = overall ? seriesByPeriod(overall.rows) : [];
  const runs = new Map<string, number>();
  for (const row of byWorkflow?.rows ?? []) runs.set(row.key, (runs.get(row.key) ?? 0) + row.runs);
  return (
    <section aria-labelledby="roi-title" className="dash-card">
      <h2 id="roi-title">Return on investment</h2>
      {error && <Failure message={`ROI figures not updated: ${error}`} />}
      {!byWorkflow && !error && <Loading what="ROI figures" />}
      {byWorkflow && byKey.length === 0 && <p className="muted">No finished run in this period yet.</p>}
      {byKey.length > 0 && (
        <>
          <Suspense fallback={<Loading what="charts" />}>
            <RoiCharts byKey={byKey} byPeriod={byPeriod} grain={overall?.grain ?? "period"} />
          </Suspense>
          <table>
            <caption>ROI by workflow</caption>
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">Runs</th>
                <th scope="col">Cost</th>
                <th scope="col">Value</th>
                <th scope="col">ROI</th>
              </tr>
            </thead>
            <tbody>
              {byKey.map((item) => (
                <tr key={item.key}>
                  <th scope="row">{item.key}</th>
                  <td>{formatCount(runs.get(item.key) ?? 0)}</td>
                  <td>{formatUsd(item.cost)}</td>
                  <td>{formatUsd(item.value)}</td>
                  <td>{formatRoi(item.roi)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <details>
            <summary>Cost, value and ROI per {overall?.grain ?? "period"}</summary>
            <table>
              <thead>
                <tr>
                  <th scope="col">Period</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Value</th>
                  <th scope="col">ROI</th>
                </tr>
              </thead>
              <tbody>
                {byPeriod.map((point) => (
                  <tr key={point.period}>
                    <th scope="row">{point.period}</th>
                    <td>{formatUsd(point.cost)}</td>
                    <td>{formatUsd(point.value)}</td>
                    <td>{formatRoi(point.roi)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}
