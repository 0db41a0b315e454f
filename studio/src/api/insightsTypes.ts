/** The insights service's response shapes (insights/schemas.py and its route modules). */

/** Figures of a period, a row or the totals: runs, predictions, cost, value and ROI. */
export interface Figures {
  runs: number;
  failures: number;
  predictions: number;
  cost_usd: number;
  value_usd: number;
  /** (value − cost) / cost; null when nothing cost anything. */
  roi: number | null;
}

export interface Kpis extends Figures {
  since: string;
  until: string;
  rates_environment: string;
}

export type RoiDimension = "workflow" | "model" | "endpoint" | "tenant";
export type Grain = "day" | "week" | "month";

export interface RoiRow extends Figures {
  key: string;
  period_start: string;
}

export interface Roi {
  by: RoiDimension;
  grain: Grain;
  since: string;
  until: string;
  rates_environment: string;
  /** One per key and period, oldest first. */
  rows: RoiRow[];
  totals: Figures;
}

export type TargetKind = "workflow" | "endpoint";
export type Basis =
  | "per_prediction"
  | "per_run"
  | "per_alert_acted_on"
  | "per_customer_retained"
  | "per_hour_saved";

export interface ValueDefinition {
  id: number;
  target_kind: TargetKind;
  target: string;
  basis: Basis;
  /** Decimals travel as strings ("5.000000"). */
  amount_usd: string;
  quantity: string;
  note: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface ValueDefinitionInput {
  target_kind: TargetKind;
  target: string;
  basis: Basis;
  amount_usd: string;
  quantity?: string;
  note?: string;
}

export type Chart = "line" | "bar" | "number" | "table";

/** A structured query, as the service gave it: sent back as is to ask exactly that reading. */
export type StructuredQuery = Record<string, unknown>;

export interface Reading {
  text: string;
  confidence: number;
  chart: Chart;
  query: StructuredQuery;
}

export type Cell = string | number | boolean | null;

export interface QuestionAnswer {
  question: string;
  status: "understood" | "not_understood" | "refused";
  message: string;
  interpretation: Reading | null;
  confidence: number | null;
  chart: Chart | null;
  sql: string | null;
  columns: string[];
  rows: Cell[][];
  alternatives: Reading[];
}

export interface Insight {
  kind: string;
  subject_kind: string;
  subject: string;
  sentence: string;
  score: number;
  impact_usd: number | null;
  period_start: string;
  period_end: string;
  evidence: Record<string, unknown>;
  refreshed_at: string;
}

export type ReportFormat = "html" | "pdf";

export interface Report {
  week: string;
  week_start: string;
  week_end: string;
  formats: ReportFormat[];
  updated_at: string;
  links: Partial<Record<ReportFormat, string>>;
}
