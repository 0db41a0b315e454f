import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { answering, json, type Answer } from "../test/answers";
import { deployment, ENDPOINT, MODEL, signedInAs, VERSION_1 } from "../test/marketplaceAnswers";
import { renderStudio } from "../test/renderStudio";

function modelAnswers(extra: Record<string, Answer> = {}) {
  return answering({
    "GET /api/v1/models/churn": () => json(MODEL),
    "GET /api/v1/models/churn/versions/1": () => json(VERSION_1),
    "GET /api/v1/endpoints": () => json({ endpoints: [ENDPOINT] }),
    ...extra,
  });
}

const LIVE = { endpoint: "churn-live" };

describe("a model's page", () => {
  it("shows the card, versions, lineage to the serving endpoint, and the checks' numbers", async () => {
    signedInAs("viewer");
    renderStudio("/marketplace/models/churn", modelAnswers().fetch);
    // The first test loads the page's chunk (recharts and all): give it time.
    expect(await screen.findByText("Who will leave next month", {}, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "churn", level: 1 })).toBeInTheDocument();
    expect(screen.getByText("Who will leave next month")).toBeInTheDocument();
    expect(screen.getByText("champion → v1")).toBeInTheDocument();
    expect(screen.getByText("team=growth")).toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Pick v2 to compare" })).toBeInTheDocument();
    // The headline version (the champion) is the one shown first.
    expect(screen.getByRole("button", { name: "Show v1" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: "Show v2" })).toHaveAttribute("aria-pressed", "false");

    const lineage = await screen.findByRole("list", { name: "Lineage" }, { timeout: 5000 });
    const steps = within(lineage).getAllByRole("listitem").map((item) => item.textContent);
    expect(steps).toEqual([
      "Workflowcustomer_churn (version 4)",
      "Datasetevents",
      "Training runtrain churn (Airflow run manual__1)",
      "Model versionchurn v1",
      "Endpointchurn (local, ready)",
    ]);
    expect(within(lineage).getByRole("link", { name: "churn" })).toHaveAttribute("href", "/endpoints/churn");
    const latency = screen.getByRole("table", { name: "Latency in milliseconds per concurrency" });
    expect(within(latency).getByRole("row", { name: "8 4 7.5 9.75" })).toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Throughput per concurrency" })).toHaveTextContent("1800");
    expect(screen.getByRole("table", { name: "Validation checks" })).toHaveTextContent("signature");
    // A viewer reads and predicts only.
    expect(screen.queryByRole("button", { name: "Deploy" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Validate" })).not.toBeInTheDocument();
  }, 15_000);

  it("compares 2 to 5 picked versions", async () => {
    signedInAs("viewer");
    const router = renderStudio("/marketplace/models/churn", modelAnswers().fetch);
    const user = userEvent.setup();
    const compare = await screen.findByRole("button", { name: "Compare" }, { timeout: 5000 });
    expect(compare).toBeDisabled();
    await user.click(screen.getByRole("checkbox", { name: "Pick v2 to compare" }));
    await user.click(screen.getByRole("checkbox", { name: "Pick v1 to compare" }));
    await user.click(compare);
    await waitFor(() => expect(router.state.location.pathname).toBe("/marketplace/compare"));
    expect(router.state.location.search).toBe("?v=churn%3A1&v=churn%3A2");
  });

  it("an editor deploys: phases to ready, then predicts from the try-it form", async () => {
    signedInAs("editor");
    let polls = 0;
    const { fetch, requests } = modelAnswers({
      "POST /api/v1/models/churn/versions/1/deploy": () => json(deployment("queued", LIVE), 202),
      "GET /api/v1/deployments/deploy__1": () => json(deployment(++polls === 1 ? "deploying" : "ready", LIVE)),
      "POST /api/v1/endpoints/churn-live/invocations": () => json({ predictions: [1] }),
    });
    renderStudio("/marketplace/models/churn", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Deploy" }, { timeout: 5000 }));
    const dialog = screen.getByRole("dialog", { name: "Deploy churn v1" });
    const name = within(dialog).getByLabelText("Endpoint name");
    expect(name).toHaveFocus();
    await user.clear(name);
    await user.type(name, "churn-live");
    expect(within(dialog).getByLabelText("Target")).toHaveValue("local");
    await user.click(within(dialog).getByRole("button", { name: "Deploy" }));
    expect(requests.find((r) => r.method === "POST")?.body).toEqual({ endpoint: "churn-live", target: "local" });

    const form = await within(dialog).findByRole("form", { name: "Try churn-live" }, { timeout: 9000 });
    expect(within(dialog).getByText(/Ready: endpoint churn-live serves churn v1/)).toBeInTheDocument();
    expect(within(dialog).getByText("queued").closest("li")).toHaveClass("step-done");
    expect(within(form).getByLabelText(/n_events/)).toHaveValue(3);
    expect(within(form).getByLabelText(/avg_spend/)).toHaveValue(6.5);
    await user.clear(within(form).getByLabelText(/n_events/));
    await user.type(within(form).getByLabelText(/n_events/), "12");
    await user.click(within(form).getByRole("button", { name: "Predict" }));
    expect(await within(form).findByRole("region", { name: "Prediction" })).toHaveTextContent("1");
    const invocation = requests.find((r) => r.url.pathname.endsWith("/invocations"));
    expect(invocation?.body).toEqual({ dataframe_split: { columns: ["n_events", "avg_spend"], data: [[12, 6.5]] } });
  }, 15_000);

  it("shows the API's refusal when the endpoint is busy", async () => {
    signedInAs("admin");
    const { fetch } = modelAnswers({
      "POST /api/v1/models/churn/versions/1/deploy": () =>
        json({ detail: "endpoint 'churn' is busy: deployment deploy__0 is in flight", code: "conflict" }, 409),
    });
    renderStudio("/marketplace/models/churn", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Deploy" }, { timeout: 5000 }));
    const dialog = screen.getByRole("dialog", { name: "Deploy churn v1" });
    await user.click(within(dialog).getByRole("button", { name: "Deploy" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "Not deployed: endpoint 'churn' is busy: deployment deploy__0 is in flight",
    );
  });
});
