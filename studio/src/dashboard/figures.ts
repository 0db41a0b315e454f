/** Pure helpers for the Dashboard: periods, figures as a person reads them, and chart series. */

import type { Cell, RoiRow } from "../api/insightsTypes";

export const PERIODS = [
  { days: 7, label: "Last 7 days" },
  { days: 30, label: "Last 30 days" },
  { days: 90, label: "Last 90 days" },
] as const;

/** The period's start as a UTC date: stable between polls (a time would change each poll and
 * each answer would be "new"), and what the service reads as midnight UTC. */
export function sinceFor(days: number, now: Date = new Date()): string {
  const start = new Date(now.getTime() - days * 86_400_000);
  return start.toISOString().slice(0, 10);
}

/** Days are rows for short periods; a quarter by day is too many points to read. */
export function grainFor(days: number): "day" | "week" {
  return days > 31 ? "week" : "day";
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 2 });
const smallUsd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 3 });

/** Dollars; amounts under a dollar keep three significant digits (a run may cost $0.0042). */
export function formatUsd(amount: number): string {
  return amount !== 0 && Math.abs(amount) < 1 ? smallUsd.format(amount) : usd.format(amount);
}

/** ROI as a percentage; "—" when nothing cost anything (ROI has no meaning then). */
export function formatRoi(roi: number | null): string {
  if (roi === null || !Number.isFinite(roi)) return "—";
  return `${(roi * 100).toLocaleString("en-US", { maximumFractionDigits: 1 })} %`;
}

export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}

export function failureRate(runs: number, failures: number): number | null {
  return runs === 0 ? null : failures / runs;
}

export function formatShare(share: number | null): string {
  return share === null ? "—" : `${(share * 100).toLocaleString("en-US", { maximumFractionDigits: 1 })} %`;
}

/** An answer's cell: numbers rounded for reading, times as dates, null as a dash. */
export function formatCell(cell: Cell): string {
  if (cell === null) return "—";
  if (typeof cell === "number") return cell.toLocaleString("en-US", { maximumFractionDigits: 4 });
  if (typeof cell === "boolean") return cell ? "yes" : "no";
  return /^\d{4}-\d{2}-\d{2}T00:00:00/.test(cell) ? cell.slice(0, 10) : cell;
}

export interface KeyTotals {
  key: string;
  cost: number;
  value: number;
  roi: number | null;
}

function roiOf(cost: number, value: number): number | null {
  return cost === 0 ? null : (value - cost) / cost;
}

/** Each key's cost, value and ROI over the whole period, highest value first. */
export function totalsByKey(rows: RoiRow[]): KeyTotals[] {
  const sums = new Map<string, { cost: number; value: number }>();
  for (const row of rows) {
    const sum = sums.get(row.key) ?? { cost: 0, value: 0 };
    sum.cost += row.cost_usd;
    sum.value += row.value_usd;
    sums.set(row.key, sum);
  }
  return [...sums]
    .map(([key, { cost, value }]) => ({ key, cost, value, roi: roiOf(cost, value) }))
    .sort((a, b) => b.value - a.value || b.cost - a.cost || a.key.localeCompare(b.key));
}

export interface PeriodPoint {
  period: string;
  cost: number;
  value: number;
  roi: number | null;
}

/** Cost, value and ROI per period (all keys together), oldest first. */
export function seriesByPeriod(rows: RoiRow[]): PeriodPoint[] {
  const sums = new Map<string, { cost: number; value: number }>();
  for (const row of rows) {
    const period = row.period_start.slice(0, 10);
    const sum = sums.get(period) ?? { cost: 0, value: 0 };
    sum.cost += row.cost_usd;
    sum.value += row.value_usd;
    sums.set(period, sum);
  }
  return [...sums]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, { cost, value }]) => ({ period, cost, value, roi: roiOf(cost, value) }));
}

/** An answer's rows as chart points: the first column names the point, numeric columns are
 * its series. Columns with no number in any row (names, states) are not series. */
export function answerSeries(columns: string[], rows: Cell[][]): { label: string; series: string[]; points: Record<string, string | number>[] } {
  const [label, ...rest] = columns;
  const series = rest.filter((_, i) => rows.some((row) => typeof row[i + 1] === "number"));
  const points = rows.map((row) => {
    const point: Record<string, string | number> = { [label ?? "x"]: formatCell(row[0] ?? null) };
    for (const name of series) {
      const cell = row[columns.indexOf(name)];
      point[name] = typeof cell === "number" ? cell : 0;
    }
    return point;
  });
  return { label: label ?? "x", series, points };
}
