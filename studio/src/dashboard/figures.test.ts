import { describe, expect, it } from "vitest";

import type { RoiRow } from "../api/insightsTypes";
import {
  answerSeries,
  failureRate,
  formatCell,
  formatRoi,
  formatShare,
  formatUsd,
  grainFor,
  seriesByPeriod,
  sinceFor,
  totalsByKey,
} from "./figures";

function row(key: string, day: string, cost: number, value: number): RoiRow {
  return { key, period_start: `${day}T00:00:00Z`, runs: 1, failures: 0, predictions: 0, cost_usd: cost, value_usd: value, roi: null };
}

describe("periods", () => {
  it("starts a period on a UTC date, so polls ask the same thing", () => {
    expect(sinceFor(7, new Date("2026-12-03T08:30:00Z"))).toBe("2026-11-26");
    expect(grainFor(7)).toBe("day");
    expect(grainFor(90)).toBe("week");
  });
});

describe("formats", () => {
  it("reads dollars, small amounts, ROI and shares as a person would", () => {
    expect(formatUsd(1234.5)).toBe("$1,234.50");
    expect(formatUsd(0.004217)).toBe("$0.00422");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatRoi(1.5)).toBe("150 %");
    expect(formatRoi(null)).toBe("—");
    expect(formatShare(failureRate(4, 1))).toBe("25 %");
    expect(formatShare(failureRate(0, 0))).toBe("—");
  });

  it("shows a day's midnight as its date and rounds numbers", () => {
    expect(formatCell("2026-11-24T00:00:00+00:00")).toBe("2026-11-24");
    expect(formatCell(0.123456789)).toBe("0.1235");
    expect(formatCell(null)).toBe("—");
    expect(formatCell("churn")).toBe("churn");
  });
});

describe("ROI series", () => {
  const rows = [row("churn", "2026-11-24", 1, 5), row("billing", "2026-11-24", 2, 0), row("churn", "2026-11-25", 1, 5)];

  it("totals each key over the period, most value first", () => {
    expect(totalsByKey(rows)).toEqual([
      { key: "churn", cost: 2, value: 10, roi: 4 },
      { key: "billing", cost: 2, value: 0, roi: -1 },
    ]);
  });

  it("adds keys per period, oldest first, ROI null without cost", () => {
    expect(seriesByPeriod([...rows, row("x", "2026-11-23", 0, 3)])).toEqual([
      { period: "2026-11-23", cost: 0, value: 3, roi: null },
      { period: "2026-11-24", cost: 3, value: 5, roi: 2 / 3 },
      { period: "2026-11-25", cost: 1, value: 5, roi: 4 },
    ]);
  });
});

describe("answerSeries", () => {
  it("names points by the first column and charts only numeric columns", () => {
    expect(answerSeries(["workflow", "state", "cost"], [["churn", "success", 0.5], ["billing", "failed", null]])).toEqual({
      label: "workflow",
      series: ["cost"],
      points: [
        { workflow: "churn", cost: 0.5 },
        { workflow: "billing", cost: 0 },
      ],
    });
  });
});
