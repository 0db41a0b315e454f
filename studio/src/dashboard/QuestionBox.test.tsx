import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { expect, it } from "vitest";

import { answering, json, type Answer } from "../test/answers";
import { dashboardAnswers, NOT_UNDERSTOOD, UNDERSTOOD } from "../test/insightsAnswers";
import { signedInAs } from "../test/marketplaceAnswers";
import { renderStudio } from "../test/renderStudio";

// The first test loads the page's chunk on a machine shared with builds: give each time.
const SLOW = 30_000;

async function ask(question: string, answer: Answer) {
  signedInAs("viewer");
  const recorded = answering(dashboardAnswers({ "POST /api/v1/questions": answer }));
  renderStudio("/dashboard", recorded.fetch);
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText("Question", {}, { timeout: 8000 }), question);
  await user.click(screen.getByRole("button", { name: "Ask" }));
  return { ...recorded, user };
}

it("shows what was understood, the SQL in a disclosure and the numbers", async () => {
  const { requests } = await ask("cost by workflow last 7 days", () => json(UNDERSTOOD));
  expect(await screen.findByText(/Understood as:/)).toHaveTextContent(
    "Understood as: Cost per workflow, the last 7 days (Thu 26 Nov – Wed 2 Dec 2026) (100 % sure)",
  );
  const sql = screen.getByText("SQL");
  expect(sql.closest("details")).not.toHaveAttribute("open");
  expect(screen.getByText(/WHERE tenant = \$tenant/)).toBeInTheDocument();
  const table = screen.getByRole("table", { name: /^Answer: Cost per workflow/ });
  expect(within(table).getAllByRole("row").map((row) => row.textContent)).toEqual(["workflowcost", "churn1.5", "orders_cleanup0.25"]);
  const sent = requests.find((r) => r.url.pathname === "/api/v1/questions")!;
  expect(sent.body).toEqual({ question: "cost by workflow last 7 days" });
}, SLOW);

it("offers the nearest readings of a question it did not understand, and asks the one picked", async () => {
  let asked = 0;
  const { requests, user } = await ask("cost of churn excluding weekends", () => json(asked++ === 0 ? NOT_UNDERSTOOD : UNDERSTOOD));
  expect(await screen.findByText(/Not sure what this asks/)).toBeVisible();
  expect(screen.queryByRole("table", { name: /^Answer/ })).toBeNull(); // never numbers
  const readings = screen.getByRole("list", { name: "Ask one of these instead:" });
  expect(within(readings).getAllByRole("button").map((b) => b.textContent)).toEqual([
    "Cost, workflow 'churn', all time",
    "Cost per workflow, all time",
  ]);
  await user.click(screen.getByRole("button", { name: "Cost per workflow, all time" }));
  expect(await screen.findByRole("table", { name: /^Answer/ })).toBeVisible();
  const second = requests.filter((r) => r.url.pathname === "/api/v1/questions")[1]!;
  expect(second.body).toEqual({ query: { metrics: ["cost"], group_by: ["workflow"] } });
}, SLOW);

it("shows a refusal of another tenant's data as an alert, without numbers", async () => {
  const refusal = "Questions can only be about your own tenant, acme ('globex' is not your tenant); other tenants' activity is never shown.";
  await ask("show globex's costs", () =>
    json({ ...NOT_UNDERSTOOD, status: "refused", message: refusal, alternatives: [] }),
  );
  expect(await screen.findByRole("alert")).toHaveTextContent(`Not answered: ${refusal}`);
  expect(screen.queryByRole("table", { name: /^Answer/ })).toBeNull();
}, SLOW);

it("says why a question was not answered when the service refuses it", async () => {
  await ask("runs", () => json({ detail: [{ field: "body.question", message: "String should have at most 500 characters" }], code: "invalid_input" }, 422));
  expect(await screen.findByRole("alert")).toHaveTextContent(
    "The question was not answered: body.question: String should have at most 500 characters",
  );
}, SLOW);
