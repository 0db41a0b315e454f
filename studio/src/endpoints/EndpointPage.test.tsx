import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { answering, json, type Answer } from "../test/answers";
import { deployment, ENDPOINT, signedInAs, VERSION_1 } from "../test/marketplaceAnswers";
import { renderStudio } from "../test/renderStudio";

const HISTORY = {
  endpoint: "churn",
  model: "churn",
  events: [
    { action: "promote", version: "1", from_version: null, deployed_at: "2026-03-01T10:00:00+00:00", deployed_by: "ann@acme", reason: "first churn model" },
    { action: "promote", version: "2", from_version: "1", deployed_at: "2026-03-02T10:00:00+00:00", deployed_by: "bob@acme", reason: "retrained" },
  ],
  runs: [],
};

function endpointAnswers(extra: Record<string, Answer> = {}) {
  return answering({
    "GET /api/v1/endpoints/churn": () => json({ ...ENDPOINT, version: 2 }),
    "GET /api/v1/endpoints/churn/history": () => json(HISTORY),
    "GET /api/v1/models/churn/versions/2": () => json({ ...VERSION_1, version: 2 }),
    ...extra,
  });
}

describe("an endpoint's page", () => {
  it("shows what it serves, its history newest first, and a try-it form; a viewer cannot roll back", async () => {
    signedInAs("viewer");
    renderStudio("/endpoints/churn", endpointAnswers().fetch);
    expect(await screen.findByRole("heading", { name: "Endpoint churn" }, { timeout: 5000 })).toBeInTheDocument();
    expect(await screen.findByText("v2", {}, { timeout: 5000 })).toBeInTheDocument();
    const history = screen.getByRole("list", { name: "History" });
    const items = within(history).getAllByRole("listitem");
    expect(items[0]).toHaveTextContent("promote v1 → v2 by bob@acme");
    expect(items[0]).toHaveTextContent("retrained");
    expect(items[1]).toHaveTextContent("→ v1 by ann@acme");
    expect(await screen.findByRole("form", { name: "Try churn" }, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Roll back" })).not.toBeInTheDocument();
  });

  it("an editor rolls back after confirming, and follows the run to ready", async () => {
    signedInAs("editor");
    const back = { action: "rollback", run_id: "rollback__1", version: 1 };
    const { fetch, requests } = endpointAnswers({
      "POST /api/v1/endpoints/churn/rollback": () => json(deployment("queued", back), 202),
      "GET /api/v1/deployments/rollback__1": () => json(deployment("ready", back)),
    });
    renderStudio("/endpoints/churn", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Roll back" }, { timeout: 5000 }));
    const confirm = screen.getByRole("form", { name: "Confirm rollback" });
    await user.type(within(confirm).getByLabelText("Reason (optional)"), "v2 flags loyal customers");
    await user.click(within(confirm).getByRole("button", { name: "Confirm rollback" }));
    expect(requests.find((r) => r.method === "POST")?.body).toEqual({ reason: "v2 flags loyal customers" });
    expect(await screen.findByText(/Ready: endpoint churn serves churn v1/, {}, { timeout: 5000 })).toBeInTheDocument();
    // The page reads the endpoint and its history again once the rollback is ready.
    await waitFor(() => expect(requests.filter((r) => r.url.pathname.endsWith("/history"))).toHaveLength(2));
    // Done puts the button back for the next time.
    await user.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.getByRole("button", { name: "Roll back" })).toBeInTheDocument();
  });

  it("shows the API's refusal of a rollback", async () => {
    signedInAs("admin");
    const { fetch } = endpointAnswers({
      "POST /api/v1/endpoints/churn/rollback": () =>
        json({ detail: "endpoint 'churn' has no earlier version to roll back to", code: "conflict" }, 409),
    });
    renderStudio("/endpoints/churn", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Roll back" }, { timeout: 5000 }));
    await user.click(screen.getByRole("button", { name: "Confirm rollback" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Not rolled back: endpoint 'churn' has no earlier version");
  });
});
