import { FACETS, type FacetKey, type Filters } from "./searchQuery";

interface Props {
  facets: Record<string, Record<string, number>>;
  filters: Filters;
  onToggle(key: FacetKey, value: string): void;
}

/** One checkbox group per facet, with how many listings each value has under the filter. */
export function FacetFilters({ facets, filters, onToggle }: Props) {
  return (
    <>
      {FACETS.map(({ key, label }) => {
        const counts = facets[key] ?? {};
        // A ticked value stays listed even when the other filters leave it no listing.
        const values = [...new Set([...Object.keys(counts), ...filters.facets[key]])].sort();
        if (values.length === 0) return null;
        return (
          <fieldset key={key} className="facet">
            <legend>{label}</legend>
            {values.map((value) => (
              <label key={value}>
                <input
                  type="checkbox"
                  checked={filters.facets[key].includes(value)}
                  onChange={() => onToggle(key, value)}
                />{" "}
                {value} <span className="muted">({counts[value] ?? 0})</span>
              </label>
            ))}
          </fieldset>
        );
      })}
    </>
  );
}
