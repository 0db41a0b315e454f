import { render, screen, within } from "@testing-library/react";
import axe from "axe-core";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { expect, it } from "vitest";

import { routes } from "../routes";
import { StudioProvider } from "../session/StudioContext";
import { answering, CONFIG, json } from "../test/answers";
import { dashboardAnswers, UNDERSTOOD } from "../test/insightsAnswers";
import { signedInAs } from "../test/marketplaceAnswers";
import { renderStudio } from "../test/renderStudio";

// The first test loads the page's chunk on a machine shared with builds: give each time.
const SLOW = 30_000;

const FIRST_LOAD = { timeout: 8000 };

function tile(name: string) {
  return screen.getByRole("group", { name });
}

it("shows the period's key figures and ROI by workflow, asked with the token", async () => {
  signedInAs("viewer");
  const { fetch, requests } = answering(dashboardAnswers());
  renderStudio("/dashboard", fetch);
  expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" }, FIRST_LOAD)).toBeVisible();
  expect(await screen.findByText("12")).toBeVisible();
  expect(tile("Runs")).toHaveTextContent("12");
  expect(tile("Failure rate")).toHaveTextContent("25 %");
  expect(tile("Cost")).toHaveTextContent("$2.50");
  expect(tile("Value")).toHaveTextContent("$10.00");
  expect(tile("ROI")).toHaveTextContent("300 %");
  expect(tile("Predictions")).toHaveTextContent("1,500");

  const table = await screen.findByRole("table", { name: "ROI by workflow" });
  const churn = within(table).getByRole("row", { name: /^churn/ });
  expect(churn).toHaveTextContent("churn4$1.50$10.00566.7 %");

  const kpis = requests.find((r) => r.url.pathname === "/api/v1/kpis")!;
  expect(kpis.url.origin).toBe("http://127.0.0.1:8004");
  expect(kpis.headers.get("Authorization")).toBe("Bearer tok");
  expect(kpis.url.searchParams.get("since")).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(screen.getByRole("link", { name: "Dashboard" })).toHaveAttribute("href", "/dashboard");
}, SLOW);

it("asks for the chosen period and days or weeks to suit it", async () => {
  signedInAs("viewer");
  const { fetch, requests } = answering(dashboardAnswers());
  renderStudio("/dashboard", fetch);
  await userEvent.setup().selectOptions(await screen.findByLabelText("Period", {}, FIRST_LOAD), "Last 90 days");
  await screen.findByRole("table", { name: "ROI by workflow" });
  const roi = requests.filter((r) => r.url.pathname === "/api/v1/roi").at(-1)!;
  expect(roi.url.searchParams.get("grain")).toBe("week");
}, SLOW);

it("says which figures failed, with the service's words", async () => {
  signedInAs("viewer");
  const { fetch } = answering(
    dashboardAnswers({
      "GET /api/v1/kpis": () => json({ detail: "the lake cannot be read: timeout", code: "unavailable" }, 503),
      "GET /api/v1/roi": () => json({ detail: [{ field: "query.since", message: "Input should be a valid datetime" }], code: "invalid_input" }, 422),
    }),
  );
  renderStudio("/dashboard", fetch);
  expect(await screen.findByText("Key figures not updated: the lake cannot be read: timeout", {}, FIRST_LOAD)).toHaveAttribute("role", "alert");
  expect(await screen.findByText("ROI figures not updated: query.since: Input should be a valid datetime")).toHaveAttribute("role", "alert");
}, SLOW);

it("lists automated insights, highest score first, with what is at stake", async () => {
  signedInAs("viewer");
  const { fetch } = answering(dashboardAnswers());
  renderStudio("/dashboard", fetch);
  const list = await screen.findByRole("region", { name: "Insights" }, FIRST_LOAD);
  expect(await within(list).findByRole("listitem")).toHaveTextContent("churn cost 140 % more this week than last. ($12.50 at stake)");
}, SLOW);

it("an insights service without automated insights says none yet", async () => {
  signedInAs("viewer");
  const { fetch } = answering(dashboardAnswers({ "GET /api/v1/insights": () => json({ detail: "Not Found" }, 404) }));
  renderStudio("/dashboard", fetch);
  expect(await screen.findByText(/No automated insights yet/, {}, FIRST_LOAD)).toBeVisible();
}, SLOW);

it("lists weekly reports with HTML and PDF downloads, and says when one fails", async () => {
  signedInAs("viewer");
  const { fetch, requests } = answering(
    dashboardAnswers({ "GET /api/v1/reports/2026-W48.pdf": () => json({ detail: "tenant 'acme' has no pdf report for week 2026-W48" }, 404) }),
  );
  renderStudio("/dashboard", fetch);
  const pdf = await screen.findByRole("button", { name: "Download 2026-W48 as PDF" }, FIRST_LOAD);
  expect(screen.getByRole("button", { name: "Download 2026-W48 as HTML" })).toBeVisible();
  await userEvent.setup().click(pdf);
  expect(await screen.findByRole("alert")).toHaveTextContent(
    "The PDF report of 2026-W48 was not downloaded: tenant 'acme' has no pdf report for week 2026-W48",
  );
  expect(requests.at(-1)!.headers.get("Authorization")).toBe("Bearer tok");
}, SLOW);

it("a viewer sees no value form", async () => {
  signedInAs("viewer");
  const { fetch } = answering(dashboardAnswers());
  renderStudio("/dashboard", fetch);
  await screen.findByRole("table", { name: "ROI by workflow" }, FIRST_LOAD);
  expect(screen.queryByRole("form", { name: "Set a value" })).toBeNull();
}, SLOW);

it("says the insights service is not configured when the builder names none", async () => {
  signedInAs("editor");
  const router = createMemoryRouter(routes, { initialEntries: ["/dashboard"] });
  const { fetch } = answering({});
  render(
    <StudioProvider config={{ ...CONFIG, insightsUrl: null }} fetch={fetch} graphqlOptions={{ subscriptions: false }}>
      <RouterProvider router={router} />
    </StudioProvider>,
  );
  expect(await screen.findByRole("alert", {}, FIRST_LOAD)).toHaveTextContent("The insights service is not configured");
}, SLOW);

it("has no serious accessibility problems with every section filled in (axe-core)", async () => {
  signedInAs("editor");
  const { fetch } = answering(dashboardAnswers({ "POST /api/v1/questions": () => json(UNDERSTOOD) }));
  renderStudio("/dashboard", fetch);
  await screen.findByRole("table", { name: "ROI by workflow" }, FIRST_LOAD);
  const user = userEvent.setup();
  await user.type(screen.getByRole("textbox", { name: "Question" }), "cost by workflow last 7 days");
  await user.click(screen.getByRole("button", { name: "Ask" }));
  await screen.findByRole("table", { name: /^Answer:/ });
  await screen.findByRole("button", { name: "Download 2026-W48 as PDF" });
  await screen.findByRole("form", { name: "Set a value" });
  await screen.findByRole("row", { name: /^churn \(workflow\)/ });
  // jsdom draws nothing, so colour contrast is left to the browser test.
  const results = await axe.run(document.body, { rules: { "color-contrast": { enabled: false } } });
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`)).toEqual([]);
}, SLOW);
