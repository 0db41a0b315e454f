import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { answering, json } from "../test/answers";
import { renderStudio } from "../test/renderStudio";

// A page's lazy chunk can take seconds to load on a busy two-core machine.
const LOAD = { timeout: 5000 };

function signedInAs(role: string) {
  sessionStorage.setItem(
    "airloom.studio.session",
    JSON.stringify({ token: "tok", username: "ann", tenant: "acme", role, expiresAt: Date.now() + 60_000 }),
  );
}

const WORKFLOW = { id: "wf-1", name: "churn", title: "Weekly churn", currentVersion: 3, publishedVersion: null, publishTarget: "DAG_FILE" };
const RUN = {
  id: "run-7",
  workflowId: "wf-1",
  version: 2,
  triggeredBy: "schedule",
  runType: "scheduled",
  createdAt: "2026-03-01T06:00:00+00:00",
  recordedState: "success",
  state: "success",
  start: "2026-03-01T06:00:01+00:00",
  end: "2026-03-01T06:04:00+00:00",
};

describe("the runs page", () => {
  it("lists each run with its version, state and who started it, linking to the run", async () => {
    signedInAs("viewer");
    renderStudio("/workflows/wf-1/runs", answering({ "graphql StudioRuns": () => json({ data: { workflow: WORKFLOW, runs: [RUN] } }) }).fetch);
    expect(await screen.findByRole("heading", { name: "Runs of Weekly churn" }, LOAD)).toBeInTheDocument();
    const [, row] = screen.getAllByRole("row");
    expect(within(row).getAllByRole("cell").map((cell) => cell.textContent)).toEqual([
      new Date(RUN.createdAt).toLocaleString(),
      "v2",
      "success",
      new Date(RUN.start).toLocaleString(),
      new Date(RUN.end).toLocaleString(),
      "schedule (scheduled)",
    ]);
    expect(within(row).getByRole("link")).toHaveAttribute("href", "/workflows/wf-1/runs/run-7");
    expect(screen.queryByRole("button", { name: "Run" })).not.toBeInTheDocument();
  });

  it("says the workflow is published once an editor publishes it here", async () => {
    signedInAs("editor");
    renderStudio(
      "/workflows/wf-1/runs",
      answering({
        "graphql StudioRuns": () => json({ data: { workflow: WORKFLOW, runs: [] } }),
        "graphql StudioPublishWorkflow": () =>
          json({ data: { publishWorkflow: { published: true, problems: [], version: 3, dagId: "acme__churn" } } }),
      }).fetch,
    );
    expect(await screen.findByText("This workflow has not run yet.", {}, LOAD)).toBeInTheDocument();
    expect(screen.getByText(/Not published/)).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Publish" }));
    expect(await screen.findByText(/Published v3/)).toBeInTheDocument();
  });
});
