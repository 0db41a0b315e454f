import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { expect, it } from "vitest";

import { answering, json, type Answer } from "../test/answers";
import { CHURN_VALUE, dashboardAnswers } from "../test/insightsAnswers";
import { signedInAs } from "../test/marketplaceAnswers";
import { renderStudio } from "../test/renderStudio";

// The first test loads the page's chunk on a machine shared with builds: give each time.
const SLOW = 30_000;

async function openAsEditor(overrides: Record<string, Answer> = {}) {
  signedInAs("editor");
  const recorded = answering(dashboardAnswers(overrides));
  renderStudio("/dashboard", recorded.fetch);
  const form = await screen.findByRole("form", { name: "Set a value" }, { timeout: 8000 });
  expect(await screen.findByRole("row", { name: /^churn \(workflow\)/ })).toHaveTextContent("$2.00 per successful run");
  return { ...recorded, form, user: userEvent.setup() };
}

it("sets a new value for a workflow and asks for the figures again", async () => {
  const { requests, user } = await openAsEditor({
    "POST /api/v1/values": (request) => json({ ...CHURN_VALUE, id: 5, target: "orders_cleanup", amount_usd: "3" }, request.body ? 201 : 400),
  });
  const kpisBefore = requests.filter((r) => r.url.pathname === "/api/v1/kpis").length;
  await user.type(screen.getByLabelText("Workflow or endpoint"), "orders_cleanup");
  await user.type(screen.getByLabelText("Amount (USD)"), "3");
  await user.click(screen.getByRole("button", { name: "Set value" }));
  expect(await screen.findByText(/^Value set:/)).toHaveTextContent("Value set: orders_cleanup is worth $3.00 per successful run");
  const posted = requests.find((r) => r.method === "POST")!;
  expect(posted.body).toEqual({ target_kind: "workflow", target: "orders_cleanup", basis: "per_run", amount_usd: "3" });
  await screen.findByText(/^Value set:/);
  expect(requests.filter((r) => r.url.pathname === "/api/v1/kpis").length).toBeGreaterThan(kpisBefore);
}, SLOW);

it("changes the amount of a basis the workflow already has, and asks for a quantity where one is needed", async () => {
  const { requests, user } = await openAsEditor({
    "PATCH /api/v1/values/4": () => json({ ...CHURN_VALUE, amount_usd: "5" }),
  });
  await user.type(screen.getByLabelText("Workflow or endpoint"), "churn");
  expect(screen.queryByLabelText("Quantity")).toBeNull();
  await user.type(screen.getByLabelText("Amount (USD)"), "5");
  await user.click(screen.getByRole("button", { name: "Set value" }));
  await screen.findByText(/^Value set:/);
  expect(requests.find((r) => r.method === "PATCH")!.body).toEqual({ amount_usd: "5" });
  await user.selectOptions(screen.getByLabelText("Basis"), "per hour of work saved");
  expect(screen.getByLabelText("Quantity")).toHaveValue("1");
}, SLOW);

it("says which field is wrong, before and after the service answers", async () => {
  const { user } = await openAsEditor({
    "POST /api/v1/values": () => json({ detail: [{ field: "body.target", message: "String should have at most 255 characters" }], code: "invalid_input" }, 422),
  });
  await user.type(screen.getByLabelText("Workflow or endpoint"), "orders_cleanup");
  await user.type(screen.getByLabelText("Amount (USD)"), "lots");
  await user.click(screen.getByRole("button", { name: "Set value" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("Value not set: Amount (USD): a number of dollars, e.g. 5 or 0.25");
  await user.clear(screen.getByLabelText("Amount (USD)"));
  await user.type(screen.getByLabelText("Amount (USD)"), "3");
  await user.click(screen.getByRole("button", { name: "Set value" }));
  expect(await screen.findByText(/String should have at most 255/)).toHaveTextContent(
    "Value not set: body.target: String should have at most 255 characters",
  );
}, SLOW);

it("removes a definition", async () => {
  const { requests, user } = await openAsEditor({ "DELETE /api/v1/values/4": () => new Response(null, { status: 204 }) });
  await user.click(screen.getByRole("button", { name: "Remove churn per successful run" }));
  expect(await screen.findByText(/^Removed:/)).toHaveTextContent("Removed: churn per successful run");
  expect(requests.some((r) => r.method === "DELETE" && r.url.pathname === "/api/v1/values/4")).toBe(true);
}, SLOW);
