import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";

import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useDebounced } from "../useDebounced";
import { useLoad } from "../useLoad";
import { FacetFilters } from "./FacetFilters";
import { MetricFilters } from "./MetricFilters";
import { ModelCards } from "./ModelCards";
import { Pager } from "./Pager";
import {
  apiQuery,
  filtersFromQuery,
  filtersToQuery,
  pageCount,
  sortOptions,
  toggleFacet,
  type Filters,
} from "./searchQuery";
import "./marketplace.css";

/** Find a model: words, facets, metric filters and sort, all in the URL so the page is a link. */
export default function MarketplacePage() {
  const { marketplace } = useSignedIn();
  const [query, setQuery] = useSearchParams();
  const filters = useMemo(() => filtersFromQuery(query), [query]);
  const [search, setSearch] = useState(filters.q);
  const settled = useDebounced(search, 300);
  const apply = (next: Filters) => setQuery(filtersToQuery(next), { replace: true });

  // Words from the URL (back, forward, a link) into the box; typing goes the other way below.
  useEffect(() => {
    if (filters.q !== settled.trim()) setSearch(filters.q);
    // Only a change of the URL's words, not of the typed ones.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filters.q]);

  useEffect(() => {
    if (settled.trim() !== filters.q) apply({ ...filters, q: settled, page: 1 });
    // Only typing changes the words; other filters keep them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled]);

  const asked = apiQuery(filters).toString();
  const loaded = useLoad(() => marketplace.searchModels(new URLSearchParams(asked)), [marketplace, asked]);
  const metricNames = useMemo(() => {
    const items = loaded.state === "done" ? loaded.data.items : [];
    return [...new Set(items.flatMap((item) => Object.keys(item.metrics ?? {})))].sort();
  }, [loaded]);
  const sorts = sortOptions(metricNames);
  if (filters.sort && !sorts.some((option) => option.value === filters.sort)) {
    sorts.push({ value: filters.sort, label: filters.sort });
  }

  return (
    <section aria-labelledby="marketplace-title" className="marketplace">
      <h1 id="marketplace-title">Marketplace</h1>
      <div className="search-bar">
        <input
          type="search"
          aria-label="Search models"
          placeholder="Search models"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <label htmlFor="marketplace-sort">Sort by</label>
        <select
          id="marketplace-sort"
          value={filters.sort}
          onChange={(event) => apply({ ...filters, sort: event.target.value, page: 1 })}
        >
          <option value="">Default</option>
          {sorts.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <div className="marketplace-body">
        <aside aria-label="Filters" className="filters">
          {loaded.state === "done" && (
            <FacetFilters
              facets={loaded.data.facets ?? {}}
              filters={filters}
              onToggle={(key, value) => apply(toggleFacet(filters, key, value))}
            />
          )}
          <MetricFilters metrics={filters.metrics} onChange={(metrics) => apply({ ...filters, metrics, page: 1 })} />
        </aside>
        <div className="results">
          {loaded.state === "loading" && <Loading what="models" />}
          {loaded.state === "failed" && <Failure message={loaded.message} />}
          {loaded.state === "done" && (
            <>
              <p className="muted" role="status">
                {loaded.data.total === 1 ? "1 model" : `${loaded.data.total} models`}
              </p>
              {loaded.data.items.length === 0 ? (
                <p className="muted">No model found.</p>
              ) : (
                <ModelCards items={loaded.data.items} />
              )}
              <Pager
                page={filters.page}
                pages={pageCount(loaded.data.total, loaded.data.page_size)}
                onPage={(page) => apply({ ...filters, page })}
              />
            </>
          )}
        </div>
      </div>
    </section>
  );
}
