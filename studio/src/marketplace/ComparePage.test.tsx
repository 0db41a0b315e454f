import { screen, within } from "@testing-library/react";
import { expect, it } from "vitest";

import { answering, json } from "../test/answers";
import { signedInAs } from "../test/marketplaceAnswers";
import { renderStudio } from "../test/renderStudio";

const COMPARISON = {
  baseline: { name: "churn", version: 1 },
  versions: [
    { name: "churn", version: 1, framework: "sklearn", metrics: { roc_auc: 0.81, rmse: 0.4 }, size_bytes: 2048, signature: null, validation_status: "passed", benchmark: null },
    { name: "churn", version: 2, framework: "sklearn", metrics: { roc_auc: 0.9, rmse: 0.5 }, size_bytes: 4096, signature: null, validation_status: "not_run", benchmark: { status: "completed", levels: [{ concurrency: 1, p50_ms: 1, p95_ms: 2, p99_ms: 3, throughput_rps: 500 }] } },
  ],
  metrics: { roc_auc: [0.81, 0.9], rmse: [0.4, 0.5] },
  best: { roc_auc: 1, rmse: 0 },
  signature_compatibility: [
    { name: "churn", version: 1, verdict: "identical", reasons: [] },
    { name: "churn", version: 2, verdict: "incompatible", reasons: ["input 'plan' is required but the baseline has no such input"] },
  ],
};

it("sets versions side by side, the best of each metric said in words", async () => {
  signedInAs("viewer");
  const { fetch, requests } = answering({ "POST /api/v1/compare": () => json(COMPARISON) });
  renderStudio("/marketplace/compare?v=churn:1&v=churn:2", fetch);
  const table = await screen.findByRole("table", {}, { timeout: 5000 });
  expect(requests[0].body).toEqual({ versions: [{ name: "churn", version: 1 }, { name: "churn", version: 2 }] });
  expect(within(table).getByRole("row", { name: /^roc_auc/ })).toHaveTextContent("roc_auc0.810.9best");
  expect(within(table).getByRole("row", { name: /^rmse/ })).toHaveTextContent("rmse0.4best0.5");
  expect(within(table).getByRole("row", { name: /^Size/ })).toHaveTextContent("2.0 KiB4.0 KiB");
  expect(within(table).getByRole("row", { name: /^Benchmark/ })).toHaveTextContent("×1: p95 2 ms, 500 rps");
  const signature = within(table).getByRole("row", { name: /^Signature/ });
  expect(signature).toHaveTextContent("incompatible");
  expect(signature).toHaveTextContent("input 'plan' is required");
});

it("says what is wrong with a comparison of one version", async () => {
  signedInAs("viewer");
  renderStudio("/marketplace/compare?v=churn:1", answering({}).fetch);
  expect(await screen.findByRole("alert", {}, { timeout: 5000 })).toHaveTextContent("Pick 2 to 5 versions to compare (1 given).");
});
