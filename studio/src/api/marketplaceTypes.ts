/** The marketplace's response shapes (marketplace/schemas.py, deployment_schemas.py). */

export interface ListingSummary {
  name: string;
  description: string;
  task: string | null;
  industry: string | null;
  framework: string | null;
  licence?: string | null;
  owner: string | null;
  tags?: Record<string, string>;
  aliases?: Record<string, number>;
  latest_version: number | null;
  headline_version: number | null;
  metrics?: Record<string, number>;
  validation_status?: string;
  updated_at?: string | null;
}

export interface SearchPage {
  total: number;
  page: number;
  page_size: number;
  items: ListingSummary[];
  /** Listings per task, industry, framework, licence and owner under the current filter. */
  facets?: Record<string, Record<string, number>>;
}

export interface VersionSummary {
  version: number;
  aliases: string[];
  status: string;
  framework: string | null;
  validation_status: string;
  benchmark_status: string;
  created_at: string | null;
}

/** One field of an MLflow signature ({"type": "double", "name": "x"} or a tensor). */
export interface SignatureField {
  name?: string;
  type: string;
  required?: boolean;
}

export interface Signature {
  inputs?: SignatureField[] | null;
  outputs?: SignatureField[] | null;
}

export interface Lineage {
  workflow?: string | null;
  workflow_version?: string | null;
  airflow_run_id?: string | null;
  dataset?: string | null;
  run_id?: string | null;
  run_name?: string | null;
  datasets?: { name?: string; digest?: string; source?: unknown }[];
}

export interface ListingDetail extends ListingSummary {
  versions: VersionSummary[];
  signature: Signature | null;
  lineage: Lineage;
  size_bytes: number | null;
}

/** A validation report's checks, or a benchmark's figures per concurrency level. */
export interface BenchmarkLevel {
  concurrency: number;
  requests?: number;
  errors?: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  throughput_rps: number;
}

export interface CheckResult {
  status: string;
  run_id?: string | null;
  report: {
    checks?: { name: string; passed: boolean; detail: string }[];
    levels?: BenchmarkLevel[];
    mode?: string;
    [key: string]: unknown;
  };
}

export interface VersionDetail extends VersionSummary {
  name: string;
  description: string;
  tags: Record<string, string>;
  flavors: string[];
  signature: Signature | null;
  input_example: Record<string, unknown> | null;
  size_bytes: number | null;
  metrics: Record<string, number>;
  params: Record<string, string>;
  lineage: Lineage;
  validation: CheckResult | null;
  benchmark: CheckResult | null;
  details_error?: string | null;
}

export interface CheckStatus {
  model: string;
  version: number;
  status: string;
  result: CheckResult | null;
}

export interface ComparedVersion {
  name: string;
  version: number;
  framework: string | null;
  metrics: Record<string, number>;
  size_bytes: number | null;
  validation_status: string;
  benchmark: { status?: string; levels?: BenchmarkLevel[]; mode?: string } | null;
}

export interface Comparison {
  baseline: { name: string; version: number };
  versions: ComparedVersion[];
  metrics: Record<string, (number | null)[]>;
  best: Record<string, number>;
  signature_compatibility: { name: string; version: number; verdict: string; reasons: string[] }[];
}

export type Phase = "queued" | "validating" | "deploying" | "ready" | "failed";

export interface Deployment {
  action: string;
  model: string;
  version: number;
  target: string | null;
  endpoint: string | null;
  run_id: string;
  state: string;
  phase: Phase;
  phase_reason: string | null;
  rolled_back?: boolean;
  requested_by: string | null;
  reason: string;
  created_at: string;
}

export interface EndpointSummary {
  name: string;
  target: string;
  model: string;
  version: number | null;
  status: string;
  reason: string | null;
  updated_at: string | null;
  latest_deployment?: Deployment;
}

export interface EndpointEvent {
  action?: string | null;
  model?: string | null;
  version?: string | null;
  from_version?: string | null;
  deployed_at?: string | null;
  deployed_by?: string | null;
  reason?: string | null;
  target?: string | null;
}

export interface EndpointHistory {
  endpoint: string;
  model: string;
  events: EndpointEvent[];
  runs: Deployment[];
}

/** Where the marketplace can serve a model (DeployRequest.target). */
export const TARGETS = ["local", "sagemaker"] as const;
export type Target = (typeof TARGETS)[number];

export interface DeployRequest {
  target: Target;
  endpoint?: string;
  reason?: string;
}

/** A validation or benchmark run just started (CheckRunPublic). */
export interface CheckRun {
  kind: string;
  model: string;
  version: number;
  run_id: string;
  state: string;
}
