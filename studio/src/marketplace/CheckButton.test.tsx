import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { expect, it } from "vitest";

import { answering, json } from "../test/answers";
import { ENDPOINT, MODEL, signedInAs, VERSION_1 } from "../test/marketplaceAnswers";
import { renderStudio } from "../test/renderStudio";

const NOT_VALIDATED = { ...VERSION_1, validation_status: "not_run", validation: null };

it("an editor validates a version, follows the run, and sees the report when it ends", async () => {
  signedInAs("editor");
  let reads = 0;
  const { fetch, requests } = answering({
    "GET /api/v1/models/churn": () => json(MODEL),
    "GET /api/v1/endpoints": () => json({ endpoints: [ENDPOINT] }),
    // Read once when the page opens, then again once the validation has ended.
    "GET /api/v1/models/churn/versions/1": () => json(++reads === 1 ? NOT_VALIDATED : VERSION_1),
    "POST /api/v1/models/churn/versions/1/validate": () =>
      json({ kind: "validation", model: "churn", version: 1, run_id: "validate__1", state: "queued" }, 202),
    "GET /api/v1/models/churn/versions/1/validation": () =>
      json({ model: "churn", version: 1, status: "passed", result: VERSION_1.validation, run: null }),
  });
  renderStudio("/marketplace/models/churn", fetch);
  expect(await screen.findByRole("heading", { name: "Validation: not run" }, { timeout: 8000 })).toBeInTheDocument();
  await userEvent.setup().click(screen.getByRole("button", { name: "Validate" }));
  expect(screen.getByRole("button", { name: "Validate" })).toBeDisabled();
  expect(screen.getByText("Validation queued…")).toBeInTheDocument();
  const report = await screen.findByRole("table", { name: "Validation checks" }, { timeout: 8000 });
  expect(within(report).getByRole("row", { name: /signature passed/ })).toBeInTheDocument();
  expect(requests.filter((r) => r.method === "POST")).toHaveLength(1);
}, 20_000);

it("says why a benchmark did not start", async () => {
  signedInAs("editor");
  const { fetch } = answering({
    "GET /api/v1/models/churn": () => json(MODEL),
    "GET /api/v1/endpoints": () => json({ endpoints: [] }),
    "GET /api/v1/models/churn/versions/1": () => json(VERSION_1),
    "POST /api/v1/models/churn/versions/1/benchmark": () =>
      json({ detail: "starting a benchmark needs the pro tier; this key is free", code: "forbidden" }, 403),
  });
  renderStudio("/marketplace/models/churn", fetch);
  await userEvent.setup().click(await screen.findByRole("button", { name: "Benchmark" }, { timeout: 8000 }));
  expect(await screen.findByRole("alert")).toHaveTextContent(
    "Benchmark of v1 not started: starting a benchmark needs the pro tier; this key is free",
  );
}, 20_000);
