/**
 * The marketplace page's filters and the URL query they live in, so a filtered page is a link
 * someone can share; the same query, with a page size, is what GET /api/v1/models reads.
 */

export const FACETS = [
  { key: "task", label: "Task" },
  { key: "industry", label: "Industry" },
  { key: "framework", label: "Framework" },
  { key: "licence", label: "Licence" },
  { key: "owner", label: "Owner" },
] as const;
export type FacetKey = (typeof FACETS)[number]["key"];

export const SORTS = [
  { value: "relevance", label: "Relevance" },
  { value: "name", label: "Name (A–Z)" },
  { value: "-name", label: "Name (Z–A)" },
  { value: "-updated", label: "Recently updated" },
  { value: "updated", label: "Least recently updated" },
] as const;

export const OPERATORS = [">", ">=", "<", "<=", "="] as const;
export type Operator = (typeof OPERATORS)[number];

export const PAGE_SIZE = 12;

export interface Filters {
  q: string;
  facets: Record<FacetKey, string[]>;
  /** As the API takes them: "roc_auc>0.8". */
  metrics: string[];
  sort: string;
  page: number;
}

function noFacets(): Record<FacetKey, string[]> {
  return { task: [], industry: [], framework: [], licence: [], owner: [] };
}

export function filtersFromQuery(query: URLSearchParams): Filters {
  const facets = noFacets();
  for (const { key } of FACETS) facets[key] = query.getAll(key);
  const page = Number.parseInt(query.get("page") ?? "", 10);
  return {
    q: query.get("q") ?? "",
    facets,
    metrics: query.getAll("metric"),
    sort: query.get("sort") ?? "",
    page: Number.isFinite(page) && page > 1 ? page : 1,
  };
}

/** Only what differs from the defaults, so the plain page has a plain URL. */
export function filtersToQuery(filters: Filters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.q.trim()) query.set("q", filters.q.trim());
  for (const { key } of FACETS) for (const value of filters.facets[key]) query.append(key, value);
  for (const metric of filters.metrics) query.append("metric", metric);
  if (filters.sort) query.set("sort", filters.sort);
  if (filters.page > 1) query.set("page", String(filters.page));
  return query;
}

export function apiQuery(filters: Filters): URLSearchParams {
  const query = filtersToQuery(filters);
  query.set("page_size", String(PAGE_SIZE));
  return query;
}

/** A changed filter shows its first page: the old page number may no longer exist. */
export function toggleFacet(filters: Filters, key: FacetKey, value: string): Filters {
  const chosen = filters.facets[key];
  const next = chosen.includes(value) ? chosen.filter((v) => v !== value) : [...chosen, value];
  return { ...filters, facets: { ...filters.facets, [key]: next }, page: 1 };
}

/** "roc_auc", ">=", "0.8" → "roc_auc>=0.8", or what is wrong with the input. */
export function metricFilter(
  name: string,
  operator: Operator,
  value: string,
): { ok: true; filter: string } | { ok: false; problem: string } {
  const metric = name.trim();
  if (!/^[A-Za-z0-9_.\-/ ]+$/.test(metric)) {
    return { ok: false, problem: "Metric: give a metric name such as roc_auc." };
  }
  if (value.trim() === "" || !Number.isFinite(Number(value))) {
    return { ok: false, problem: "Value: give a number, such as 0.8." };
  }
  return { ok: true, filter: `${metric}${operator}${Number(value)}` };
}

/** The sorts offered: the fixed ones, then by each metric the results carry, best first. */
export function sortOptions(metricNames: string[]): { value: string; label: string }[] {
  const byMetric = metricNames.flatMap((metric) => [
    { value: `-metric:${metric}`, label: `${metric} (highest first)` },
    { value: `metric:${metric}`, label: `${metric} (lowest first)` },
  ]);
  return [...SORTS, ...byMetric];
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
