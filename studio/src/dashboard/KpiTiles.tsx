import type { Kpis } from "../api/insightsTypes";
import { failureRate, formatCount, formatRoi, formatShare, formatUsd } from "./figures";

/** The period's headline figures, one tile each; "—" until the first answer. */
export function KpiTiles({ kpis }: { kpis: Kpis | undefined }) {
  const tiles: [string, string][] = [
    ["Runs", kpis ? formatCount(kpis.runs) : "—"],
    ["Failure rate", kpis ? formatShare(failureRate(kpis.runs, kpis.failures)) : "—"],
    ["Cost", kpis ? formatUsd(kpis.cost_usd) : "—"],
    ["Value", kpis ? formatUsd(kpis.value_usd) : "—"],
    ["ROI", kpis ? formatRoi(kpis.roi) : "—"],
    ["Predictions", kpis ? formatCount(kpis.predictions) : "—"],
  ];
  return (
    // Not a list: each tile is a group named by its label, which a list item cannot be.
    <div className="kpi-tiles">
      {tiles.map(([label, value]) => {
        const id = `kpi-${label.toLowerCase().replace(/\W+/g, "-")}`;
        return (
          <div key={label} className="kpi-tile" role="group" aria-labelledby={id}>
            <span className="kpi-label" id={id}>
              {label}
            </span>
            <span className="kpi-value">{value}</span>
          </div>
        );
      })}
    </div>
  );
}
