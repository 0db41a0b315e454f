import { describe, expect, it } from "vitest";

import { compareLink, formatBytes, formatNumber, metricRows, parseRef, refsFromQuery } from "./compare";

describe("the versions compared", () => {
  it("read name:version, names with colons included", () => {
    expect(parseRef("churn:3")).toEqual({ name: "churn", version: 3 });
    expect(parseRef("team:churn:12")).toEqual({ name: "team:churn", version: 12 });
    expect(parseRef("churn")).toBeNull();
    expect(parseRef("churn:0")).toBeNull();
  });

  it("go to and from the page's query", () => {
    const link = compareLink([{ name: "churn", version: 1 }, { name: "churn", version: 2 }]);
    expect(link).toBe("/marketplace/compare?v=churn%3A1&v=churn%3A2");
    const { refs, problem } = refsFromQuery(new URLSearchParams(link.split("?")[1]));
    expect(problem).toBeNull();
    expect(refs).toHaveLength(2);
  });

  it("say what is wrong with the query", () => {
    expect(refsFromQuery(new URLSearchParams("v=churn:1")).problem).toMatch(/2 to 5/);
    expect(refsFromQuery(new URLSearchParams("v=churn:x&v=a:1")).problem).toMatch(/churn:x/);
  });
});

it("marks the best version of each metric the API ranked", () => {
  const rows = metricRows({
    metrics: { roc_auc: [0.8, 0.9], custom: [1, 2] },
    best: { roc_auc: 1 },
  });
  expect(rows.map((row) => row.metric)).toEqual(["custom", "roc_auc"]);
  expect(rows[1].cells).toEqual([{ value: 0.8, best: false }, { value: 0.9, best: true }]);
  expect(rows[0].cells.some((cell) => cell.best)).toBe(false);
});

it("formats numbers and sizes to read", () => {
  expect(formatNumber(0.912345)).toBe("0.9123");
  expect(formatNumber(3)).toBe("3");
  expect(formatNumber(null)).toBe("—");
  expect(formatBytes(512)).toBe("512 B");
  expect(formatBytes(2048)).toBe("2.0 KiB");
});
