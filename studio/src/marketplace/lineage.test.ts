import { expect, it } from "vitest";

import type { EndpointSummary } from "../api/marketplaceTypes";
import { lineageChain } from "./lineage";

const endpoint = (name: string, model: string, version: number): EndpointSummary => ({
  name,
  model,
  version,
  target: "local",
  status: "ready",
  reason: null,
  updated_at: null,
});

it("chains workflow, dataset, run, version and the endpoints serving that version", () => {
  const chain = lineageChain(
    "churn",
    2,
    { workflow: "customer_churn", workflow_version: "4", dataset: "events", run_id: "abc", run_name: "train", airflow_run_id: "manual__1" },
    [endpoint("churn-live", "churn", 2), endpoint("churn-old", "churn", 1), endpoint("other", "fraud", 2)],
  );
  expect(chain.map((link) => `${link.kind}: ${link.text}`)).toEqual([
    "Workflow: customer_churn",
    "Dataset: events",
    "Training run: train",
    "Model version: churn v2",
    "Endpoint: churn-live",
  ]);
  expect(chain[4].to).toBe("/endpoints/churn-live");
});

it("a model logged by hand has its run and datasets only", () => {
  const chain = lineageChain("direct", 1, { run_id: "r1", datasets: [{ name: "train.csv" }] }, []);
  expect(chain.map((link) => link.kind)).toEqual(["Dataset", "Training run", "Model version"]);
});
