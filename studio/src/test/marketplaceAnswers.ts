/** Marketplace answers for Studio's component tests, shaped as the marketplace's schemas. */

import type { Deployment, EndpointSummary, ListingDetail, VersionDetail } from "../api/marketplaceTypes";

export function signedInAs(role: string) {
  sessionStorage.setItem(
    "airloom.studio.session",
    JSON.stringify({ token: "tok", username: "ann", tenant: "acme", role, expiresAt: Date.now() + 60_000 }),
  );
}

export const SEARCH = {
  total: 1,
  page: 1,
  page_size: 12,
  items: [
    {
      name: "churn",
      description: "Who will leave next month",
      task: "classification",
      industry: "telecom",
      framework: "sklearn",
      licence: "apache-2.0",
      owner: "ann",
      tags: {},
      aliases: { champion: 1 },
      latest_version: 2,
      headline_version: 1,
      metrics: { roc_auc: 0.91 },
      validation_status: "passed",
      updated_at: "2026-03-01T10:00:00+00:00",
    },
  ],
  facets: {
    task: { classification: 1, regression: 3 },
    industry: { telecom: 1 },
    framework: { sklearn: 1 },
    licence: {},
    owner: { ann: 1 },
  },
};

export const MODEL: ListingDetail = {
  ...SEARCH.items[0],
  tags: { team: "growth" },
  versions: [
    { version: 2, aliases: [], status: "READY", framework: "sklearn", validation_status: "not_run", benchmark_status: "not_run", created_at: "2026-03-02T10:00:00+00:00" },
    { version: 1, aliases: ["champion"], status: "READY", framework: "sklearn", validation_status: "passed", benchmark_status: "completed", created_at: "2026-03-01T10:00:00+00:00" },
  ],
  signature: null,
  lineage: {},
  size_bytes: 2048,
};

export const VERSION_1: VersionDetail = {
  name: "churn",
  version: 1,
  aliases: ["champion"],
  status: "READY",
  framework: "sklearn",
  validation_status: "passed",
  benchmark_status: "completed",
  created_at: "2026-03-01T10:00:00+00:00",
  description: "",
  tags: {},
  flavors: ["python_function", "sklearn"],
  signature: {
    inputs: [
      { name: "n_events", type: "long" },
      { name: "avg_spend", type: "double" },
    ],
    outputs: [{ type: "long" }],
  },
  input_example: { columns: ["n_events", "avg_spend"], data: [[3, 6.5]] },
  size_bytes: 2048,
  metrics: { roc_auc: 0.91 },
  params: {},
  lineage: { workflow: "customer_churn", workflow_version: "4", dataset: "events", run_id: "r1", run_name: "train churn", airflow_run_id: "manual__1" },
  validation: {
    status: "passed",
    report: { checks: [{ name: "signature", passed: true, detail: "inputs and outputs declared" }] },
  },
  benchmark: {
    status: "completed",
    report: {
      mode: "in-process pyfunc",
      levels: [
        { concurrency: 1, p50_ms: 1.5, p95_ms: 2.25, p99_ms: 3, throughput_rps: 600 },
        { concurrency: 8, p50_ms: 4, p95_ms: 7.5, p99_ms: 9.75, throughput_rps: 1800 },
      ],
    },
  },
};

export const ENDPOINT: EndpointSummary = {
  name: "churn",
  target: "local",
  model: "churn",
  version: 1,
  status: "ready",
  reason: null,
  updated_at: "2026-03-03T10:00:00+00:00",
};

export function deployment(phase: Deployment["phase"], extra: Partial<Deployment> = {}): Deployment {
  return {
    action: "deploy",
    model: "churn",
    version: 1,
    target: "local",
    endpoint: "churn",
    run_id: "deploy__1",
    state: phase === "ready" ? "success" : "running",
    phase,
    phase_reason: null,
    requested_by: "ann@acme",
    reason: "",
    created_at: "2026-03-03T10:00:00+00:00",
    ...extra,
  };
}
