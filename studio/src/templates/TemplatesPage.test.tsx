import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

// Lazy pages load their chunk first: slow on a busy machine.
const WAIT = { timeout: 10_000 };

import { answering, json, WORKFLOWS_PAGE } from "../test/answers";
import { signedInAs } from "../test/marketplaceAnswers";
import { renderStudio } from "../test/renderStudio";

const TEMPLATES = {
  data: {
    templates: [
      {
        id: "fraud-detection-stream",
        title: "Fraud detection",
        industry: "finance",
        description: "Score card payments as they stream in.",
        spec: {
          nodes: [
            { id: "ingest", type: "kafka_ingest", ui: { x: 0, y: 0 } },
            { id: "score", type: "spark_transform", ui: { x: 220, y: 0 } },
          ],
          edges: [{ source: "ingest.table", target: "score.tables" }],
        },
      },
      {
        id: "customer-churn",
        title: "Customer churn",
        industry: "customer service",
        description: "Predict which customers will leave.",
        spec: { nodes: [{ id: "ingest_events", type: "kafka_ingest" }], edges: [] },
      },
    ],
  },
};

describe("the templates gallery", () => {
  it("groups templates by industry, each with a picture of its graph", async () => {
    signedInAs("viewer");
    const { fetch } = answering({ "graphql StudioTemplates": () => json(TEMPLATES) });
    renderStudio("/workflows/templates", fetch);
    const finance = await screen.findByRole("region", { name: "finance" }, WAIT);
    const card = within(finance).getByRole("article", { name: "Fraud detection" });
    expect(within(card).getByRole("img")).toHaveAccessibleName(
      "Graph of Fraud detection: 2 steps (ingest, score)",
    );
    expect(screen.getByRole("region", { name: "customer service" })).toHaveTextContent("Customer churn");
    // A viewer browses; starting a workflow is for editors.
    expect(screen.queryByRole("button", { name: "Create workflow" })).toBeNull();
  });

  it("starts an editor's workflow from a template and opens it", async () => {
    signedInAs("editor");
    const created = { id: "wf-7", name: "churn_q3", title: "Customer churn", currentVersion: 1, publishedVersion: null, publishTarget: "DAG_FILE" };
    const { fetch, requests } = answering({
      "graphql StudioTemplates": () => json(TEMPLATES),
      "graphql StudioCreateWorkflow": () => json({ data: { createWorkflow: created } }),
    });
    const router = renderStudio("/workflows/templates", fetch);
    const form = await screen.findByRole("form", { name: "Start from Customer churn" }, WAIT);
    const name = within(form).getByLabelText("Workflow name");
    expect(name).toHaveValue("customer_churn");
    const user = userEvent.setup();
    await user.clear(name);
    await user.type(name, "churn_q3");
    await user.click(within(form).getByRole("button", { name: "Create workflow" }));
    await vi.waitFor(() => expect(router.state.location.pathname).toBe("/workflows/wf-7"), { timeout: 25_000 });
    const sent = requests.find((request) => request.url.pathname === "/graphql" && request.method === "POST"
      && (request.body as { operationName: string }).operationName === "StudioCreateWorkflow");
    expect((sent!.body as { variables: unknown }).variables).toEqual({
      name: "churn_q3",
      title: "Customer churn",
      templateId: "customer-churn",
    });
  }, 30_000); // the canvas page's chunk loads before the router moves there

  it("shows the builder's refusal of a name where the person typed it", async () => {
    signedInAs("editor");
    const { fetch } = answering({
      "graphql StudioTemplates": () => json(TEMPLATES),
      "graphql StudioCreateWorkflow": () =>
        json({ data: null, errors: [{ message: "a workflow named customer_churn exists", extensions: { code: "CONFLICT" } }] }),
    });
    renderStudio("/workflows/templates", fetch);
    const form = await screen.findByRole("form", { name: "Start from Customer churn" }, WAIT);
    await userEvent.setup().click(within(form).getByRole("button", { name: "Create workflow" }));
    expect(await within(form).findByRole("alert", {}, WAIT)).toHaveTextContent("a workflow named customer_churn exists");
  });
});

describe("the workflows list", () => {
  it("shows each workflow's owner and offers editors the templates", async () => {
    signedInAs("editor");
    const { fetch } = answering({ "graphql StudioWorkflows": () => json(WORKFLOWS_PAGE) });
    renderStudio("/workflows", fetch);
    const row = (await screen.findByRole("link", { name: "Weekly churn" }, WAIT)).closest("tr")!;
    expect(within(row).getByRole("cell", { name: "ana" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Start from a template" })).toHaveAttribute(
      "href",
      "/workflows/templates",
    );
  });

  it("keeps a blank workflow's name and says why the builder refused it", async () => {
    signedInAs("editor");
    const { fetch } = answering({
      "graphql StudioWorkflows": () => json(WORKFLOWS_PAGE),
      "graphql StudioCreateWorkflow": () =>
        json({ data: null, errors: [{ message: "name must be a Python identifier", extensions: { code: "BAD_INPUT" } }] }),
    });
    renderStudio("/workflows", fetch);
    const form = await screen.findByRole("form", { name: "New workflow" }, WAIT);
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("Name"), "churn weekly");
    await user.click(within(form).getByRole("button", { name: "New workflow" }));
    expect(await within(form).findByRole("alert", {}, WAIT)).toHaveTextContent("name must be a Python identifier");
    expect(within(form).getByLabelText("Name")).toHaveValue("churn weekly");
    expect(within(form).getByRole("button", { name: "New workflow" })).toBeEnabled();
  });
});
