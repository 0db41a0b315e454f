/** The compare page's query (?v=name:1&v=name:2) and its metric rows with the best marked. */

import type { Comparison } from "../api/marketplaceTypes";

export interface VersionRef {
  name: string;
  version: number;
}

export const MIN_COMPARED = 2;
export const MAX_COMPARED = 5;

/** "churn:3" → {name: "churn", version: 3}; model names may hold colons, the version may not. */
export function parseRef(text: string): VersionRef | null {
  const at = text.lastIndexOf(":");
  const version = Number(text.slice(at + 1));
  if (at <= 0 || !Number.isInteger(version) || version < 1) return null;
  return { name: text.slice(0, at), version };
}

export function refsFromQuery(query: URLSearchParams): { refs: VersionRef[]; problem: string | null } {
  const texts = query.getAll("v");
  const refs = texts.map(parseRef);
  const bad = texts.filter((_, index) => refs[index] === null);
  if (bad.length) return { refs: [], problem: `Not a model version (name:version): ${bad.join(", ")}` };
  const ok = refs as VersionRef[];
  if (ok.length < MIN_COMPARED || ok.length > MAX_COMPARED) {
    return { refs: ok, problem: `Pick ${MIN_COMPARED} to ${MAX_COMPARED} versions to compare (${ok.length} given).` };
  }
  return { refs: ok, problem: null };
}

export function compareLink(refs: VersionRef[]): string {
  const query = new URLSearchParams(refs.map((ref) => ["v", `${ref.name}:${ref.version}`]));
  return `/marketplace/compare?${query.toString()}`;
}

export interface MetricCell {
  value: number | null;
  best: boolean;
}

/** One row per metric, one cell per version, the API's best (when it knows a direction) marked. */
export function metricRows(comparison: Pick<Comparison, "metrics" | "best">): { metric: string; cells: MetricCell[] }[] {
  return Object.entries(comparison.metrics)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([metric, values]) => ({
      metric,
      cells: values.map((value, index) => ({ value, best: comparison.best[metric] === index })),
    }));
}

/** Numbers short enough to read in a table, whole ones as they are. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, "");
}

export function formatBytes(size: number | null | undefined): string {
  if (size === null || size === undefined) return "—";
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
