import { describe, expect, it } from "vitest";

import {
  apiQuery,
  filtersFromQuery,
  filtersToQuery,
  metricFilter,
  pageCount,
  sortOptions,
  toggleFacet,
} from "./searchQuery";

describe("the marketplace's filters in the URL", () => {
  it("read back what was written, repeatable facets and metrics included", () => {
    const query = new URLSearchParams(
      "q=churn&task=classification&task=regression&owner=ann&metric=roc_auc%3E0.8&sort=-updated&page=3",
    );
    const filters = filtersFromQuery(query);
    expect(filters.facets.task).toEqual(["classification", "regression"]);
    expect(filters.facets.owner).toEqual(["ann"]);
    expect(filters.metrics).toEqual(["roc_auc>0.8"]);
    expect(filters.page).toBe(3);
    expect(filtersToQuery(filters).toString()).toBe(query.toString());
  });

  it("keep the plain page's URL plain and ask the API for a page size", () => {
    const filters = filtersFromQuery(new URLSearchParams("page=0"));
    expect(filters.page).toBe(1);
    expect(filtersToQuery(filters).toString()).toBe("");
    expect(apiQuery(filters).get("page_size")).toBe("12");
  });

  it("a ticked facet goes back to the first page; ticking again removes it", () => {
    const start = filtersFromQuery(new URLSearchParams("page=2"));
    const ticked = toggleFacet(start, "industry", "telecom");
    expect(ticked.facets.industry).toEqual(["telecom"]);
    expect(ticked.page).toBe(1);
    expect(toggleFacet(ticked, "industry", "telecom").facets.industry).toEqual([]);
  });
});

describe("metric filters", () => {
  it("join name, operator and value as the API reads them", () => {
    expect(metricFilter(" roc_auc ", ">=", "0.80")).toEqual({ ok: true, filter: "roc_auc>=0.8" });
  });

  it("say which input is wrong", () => {
    expect(metricFilter("", ">", "1")).toMatchObject({ ok: false, problem: expect.stringMatching(/^Metric/) });
    expect(metricFilter("rmse", "<", "low")).toMatchObject({ ok: false, problem: expect.stringMatching(/^Value/) });
  });
});

it("offers a sort by each metric both ways, and counts pages", () => {
  const values = sortOptions(["rmse"]).map((option) => option.value);
  expect(values).toContain("relevance");
  expect(values).toContain("-metric:rmse");
  expect(values).toContain("metric:rmse");
  expect(pageCount(0, 12)).toBe(1);
  expect(pageCount(25, 12)).toBe(3);
});
