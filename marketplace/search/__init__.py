"""Search over the catalog: full-text relevance, filters, sort, pagination and facets."""
