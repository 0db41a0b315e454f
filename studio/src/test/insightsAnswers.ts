/** Insights service answers for the Dashboard's tests, shaped as the service's schemas. */

import type { Insight, Kpis, QuestionAnswer, Report, Roi, ValueDefinition } from "../api/insightsTypes";
import { json, type Answer } from "./answers";

export const KPIS: Kpis = {
  since: "2026-11-26T00:00:00Z",
  until: "2026-12-03T09:00:00Z",
  rates_environment: "local",
  runs: 12,
  failures: 3,
  predictions: 1500,
  cost_usd: 2.5,
  value_usd: 10,
  roi: 3,
};

function row(key: string, day: string, cost: number, value: number, runs = 2) {
  return { key, period_start: `${day}T00:00:00Z`, runs, failures: 0, predictions: 0, cost_usd: cost, value_usd: value, roi: cost ? (value - cost) / cost : null };
}

export const ROI_BY_WORKFLOW: Roi = {
  by: "workflow",
  grain: "day",
  since: KPIS.since,
  until: KPIS.until,
  rates_environment: "local",
  rows: [row("churn", "2026-11-30", 1, 8), row("orders_cleanup", "2026-11-30", 1.5, 0), row("churn", "2026-12-01", 0.5, 2)],
  totals: { runs: 6, failures: 0, predictions: 0, cost_usd: 3, value_usd: 10, roi: 7 / 3 },
};

export const ROI_BY_TENANT: Roi = {
  ...ROI_BY_WORKFLOW,
  by: "tenant",
  rows: [row("acme", "2026-11-30", 2.5, 8), row("acme", "2026-12-01", 0.5, 2)],
};

export const UNDERSTOOD: QuestionAnswer = {
  question: "cost by workflow last 7 days",
  status: "understood",
  message: "Cost per workflow, the last 7 days (Thu 26 Nov – Wed 2 Dec 2026)",
  interpretation: {
    text: "Cost per workflow, the last 7 days (Thu 26 Nov – Wed 2 Dec 2026)",
    confidence: 1,
    chart: "bar",
    query: { metrics: ["cost"], group_by: ["workflow"] },
  },
  confidence: 1,
  chart: "bar",
  sql: "SELECT workflow, sum(cost_usd) AS cost FROM runs WHERE tenant = $tenant GROUP BY 1",
  columns: ["workflow", "cost"],
  rows: [
    ["churn", 1.5],
    ["orders_cleanup", 0.25],
  ],
  alternatives: [],
};

export const NOT_UNDERSTOOD: QuestionAnswer = {
  question: "cost of churn excluding weekends",
  status: "not_understood",
  message: "Not sure what this asks (did not understand: excluding, weekends).",
  interpretation: null,
  confidence: null,
  chart: null,
  sql: null,
  columns: [],
  rows: [],
  alternatives: [
    { text: "Cost, workflow 'churn', all time", confidence: 0.4, chart: "number", query: { metrics: ["cost"], filters: [{ dimension: "workflow", values: ["churn"] }] } },
    { text: "Cost per workflow, all time", confidence: 0.3, chart: "bar", query: { metrics: ["cost"], group_by: ["workflow"] } },
  ],
};

export const INSIGHTS: Insight[] = [
  {
    kind: "cost_jump",
    subject_kind: "workflow",
    subject: "churn",
    sentence: "churn cost 140 % more this week than last.",
    score: 0.9,
    impact_usd: 12.5,
    period_start: "2026-11-23T00:00:00Z",
    period_end: "2026-11-30T00:00:00Z",
    evidence: {},
    refreshed_at: "2026-12-03T08:00:00Z",
  },
];

export const REPORTS: Report[] = [
  {
    week: "2026-W48",
    week_start: "2026-11-23T00:00:00Z",
    week_end: "2026-11-30T00:00:00Z",
    formats: ["html", "pdf"],
    updated_at: "2026-11-30T06:00:00Z",
    links: { html: "/api/v1/reports/2026-W48.html", pdf: "/api/v1/reports/2026-W48.pdf" },
  },
];

export const CHURN_VALUE: ValueDefinition = {
  id: 4,
  target_kind: "workflow",
  target: "churn",
  basis: "per_run",
  amount_usd: "2.000000",
  quantity: "1.000000",
  note: "",
  created_by: "ann",
  created_at: "2026-12-01T00:00:00Z",
  updated_at: "2026-12-01T00:00:00Z",
};

/** Everything the Dashboard asks for on opening, answered; override any route. */
export function dashboardAnswers(overrides: Record<string, Answer> = {}): Record<string, Answer> {
  return {
    "GET /api/v1/kpis": () => json(KPIS),
    "GET /api/v1/roi": (request) => json(request.url.searchParams.get("by") === "tenant" ? ROI_BY_TENANT : ROI_BY_WORKFLOW),
    "GET /api/v1/insights": () => json({ tenant: "acme", insights: INSIGHTS }),
    "GET /api/v1/reports": () => json({ tenant: "acme", reports: REPORTS }),
    "GET /api/v1/values": () => json([CHURN_VALUE]),
    ...overrides,
  };
}
