/** Where a model version came from and where it serves: workflow → dataset → run → version → endpoints. */

import type { EndpointSummary, Lineage } from "../api/marketplaceTypes";

export interface LineageLink {
  kind: "Workflow" | "Dataset" | "Training run" | "Model version" | "Endpoint";
  text: string;
  /** A Studio page to open, when there is one. */
  to?: string;
  detail?: string;
}

function datasetName(lineage: Lineage): string | null {
  if (lineage.dataset) return lineage.dataset;
  const names = (lineage.datasets ?? []).map((item) => item.name).filter(Boolean);
  return names.length ? names.join(", ") : null;
}

export function lineageChain(
  model: string,
  version: number,
  lineage: Lineage,
  endpoints: EndpointSummary[],
): LineageLink[] {
  const chain: LineageLink[] = [];
  if (lineage.workflow) {
    chain.push({
      kind: "Workflow",
      text: lineage.workflow,
      detail: lineage.workflow_version ? `version ${lineage.workflow_version}` : undefined,
    });
  }
  const dataset = datasetName(lineage);
  if (dataset) chain.push({ kind: "Dataset", text: dataset });
  if (lineage.run_id || lineage.airflow_run_id) {
    chain.push({
      kind: "Training run",
      text: lineage.run_name || lineage.run_id || (lineage.airflow_run_id as string),
      detail: lineage.airflow_run_id ? `Airflow run ${lineage.airflow_run_id}` : undefined,
    });
  }
  chain.push({ kind: "Model version", text: `${model} v${version}` });
  for (const endpoint of endpoints) {
    if (endpoint.model === model && endpoint.version === version) {
      chain.push({
        kind: "Endpoint",
        text: endpoint.name,
        to: `/endpoints/${encodeURIComponent(endpoint.name)}`,
        detail: `${endpoint.target}, ${endpoint.status}`,
      });
    }
  }
  return chain;
}
