import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { describe, expect, it } from "vitest";

import type { Fetch } from "../api/http";
import { answering, CONFIG, json } from "../test/answers";
import { StudioProvider } from "../session/StudioContext";
import { WorkflowActions } from "./WorkflowActions";

function signedInAs(role: string) {
  sessionStorage.setItem(
    "airloom.studio.session",
    JSON.stringify({ token: "tok", username: "ann", tenant: "acme", role, expiresAt: Date.now() + 60_000 }),
  );
}

function renderActions(fetch: Fetch, dirty = false) {
  const router = createMemoryRouter(
    [
      { path: "/workflows/:id", element: <WorkflowActions workflowId="wf-1" version={3} dirty={dirty} /> },
      { path: "/workflows/:id/runs/:runId", element: <p>run page</p> },
    ],
    { initialEntries: ["/workflows/wf-1"] },
  );
  render(
    <StudioProvider config={CONFIG} fetch={fetch} graphqlOptions={{ subscriptions: false }}>
      <RouterProvider router={router} />
    </StudioProvider>,
  );
  return router;
}

const PUBLISHED = { published: true, problems: [], version: 3, dagId: "acme__churn" };

describe("WorkflowActions", () => {
  it("publishes the saved version and says so", async () => {
    signedInAs("editor");
    const { fetch, requests } = answering({
      "graphql StudioPublishWorkflow": () => json({ data: { publishWorkflow: PUBLISHED } }),
    });
    renderActions(fetch);
    await userEvent.setup().click(screen.getByRole("button", { name: "Publish" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Published version 3");
    expect((requests[0].body as { variables: unknown }).variables).toEqual({ id: "wf-1", version: 3 });
  });

  it("lists the problems that stopped publishing", async () => {
    signedInAs("editor");
    const problems = [
      { code: "missing_param", message: "is required", nodeId: "train", field: "target" },
      { code: "cycle", message: "the graph has a cycle", nodeId: null, field: null },
    ];
    const { fetch } = answering({
      "graphql StudioPublishWorkflow": () =>
        json({ data: { publishWorkflow: { ...PUBLISHED, published: false, problems } } }),
    });
    renderActions(fetch);
    await userEvent.setup().click(screen.getByRole("button", { name: "Publish" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Version 3 was not published: 2 problems");
    const items = within(screen.getByRole("list", { name: "Publish problems" })).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual(["train target: is required", "the graph has a cycle"]);
  });

  it("runs the workflow and opens the new run", async () => {
    signedInAs("editor");
    const { fetch } = answering({
      "graphql StudioTriggerRun": () => json({ data: { triggerRun: { id: "run-9" } } }),
    });
    const router = renderActions(fetch);
    await userEvent.setup().click(screen.getByRole("button", { name: "Run" }));
    expect(await screen.findByText("run page")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/workflows/wf-1/runs/run-9");
  });

  it("says where a run could not start", async () => {
    signedInAs("editor");
    const { fetch } = answering({
      "graphql StudioTriggerRun": () =>
        json({ data: null, errors: [{ message: "workflow 'wf-1' is not published" }] }),
    });
    renderActions(fetch);
    await userEvent.setup().click(screen.getByRole("button", { name: "Run" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not start a run: workflow 'wf-1' is not published",
    );
  });

  it("asks for a save before publishing unsaved edits", () => {
    signedInAs("editor");
    renderActions(answering({}).fetch, true);
    for (const name of ["Publish", "Run"]) {
      const button = screen.getByRole("button", { name });
      expect(button).toBeDisabled();
      expect(button).toHaveAccessibleDescription("Save your changes first");
    }
  });

  it("shows a viewer the links but no button", () => {
    signedInAs("viewer");
    renderActions(answering({}).fetch);
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Runs" })).toHaveAttribute("href", "/workflows/wf-1/runs");
    expect(screen.getByRole("link", { name: "Versions" })).toHaveAttribute("href", "/workflows/wf-1/versions");
  });
});
