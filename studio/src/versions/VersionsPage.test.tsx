import "../test/reactFlowStubs";

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { answering, json } from "../test/answers";
import { renderStudio } from "../test/renderStudio";

// A page's lazy chunk (React Flow with it) can take seconds to load on a busy two-core machine.
const LOAD = { timeout: 5000 };

function signedInAs(role: string) {
  sessionStorage.setItem(
    "airloom.studio.session",
    JSON.stringify({ token: "tok", username: "ann", tenant: "acme", role, expiresAt: Date.now() + 60_000 }),
  );
}

const HEADER = { id: "wf-1", name: "churn", title: "Weekly churn", publishedVersion: 1, publishTarget: "DAG_FILE" };
const V1 = { number: 1, message: "first", createdBy: "ann", createdAt: "2026-03-01T10:00:00+00:00" };
const V2 = { number: 2, message: "stricter filter", createdBy: "bob", createdAt: "2026-03-02T10:00:00+00:00" };
const V3 = { number: 3, message: "Restored version 1", createdBy: "ann", createdAt: "2026-03-03T10:00:00+00:00" };

const SPEC_1 = { nodes: [{ id: "load", type: "csv" }, { id: "clean", type: "filter", params: { max: 1 } }], edges: [] };
const SPEC_2 = {
  nodes: [{ id: "load", type: "csv" }, { id: "clean", type: "filter", params: { max: 2 } }],
  edges: [{ source: "load.out", target: "clean.in" }],
};
const DIFF = {
  fromVersion: 1,
  toVersion: 2,
  nodesAdded: [],
  nodesRemoved: [],
  nodesChanged: [{ nodeId: "clean", fields: ["params"] }],
  edgesAdded: [{ source: "load.out", target: "clean.in" }],
  edgesRemoved: [],
  paramsChanged: [{ nodeId: "clean", path: "max", change: "changed", before: 1, after: 2 }],
  settingsChanged: [{ path: "schedule", change: "added", before: null, after: "@daily" }],
};

function studio() {
  let versions = [V1, V2];
  return answering({
    "graphql StudioVersions": () =>
      json({ data: { workflow: { ...HEADER, currentVersion: versions.length, versions } } }),
    "graphql StudioCompareVersions": () =>
      json({ data: { workflow: { from: { spec: SPEC_1 }, to: { spec: SPEC_2 }, diff: DIFF } } }),
    "graphql StudioRestoreVersion": () => {
      versions = [V1, V2, V3];
      return json({ data: { restoreVersion: { number: 3 } } });
    },
  });
}

describe("the versions page", () => {
  it("lists versions newest first and compares the previous with the latest", async () => {
    signedInAs("editor");
    const { fetch, requests } = studio();
    renderStudio("/workflows/wf-1/versions", fetch);
    expect(await screen.findByRole("heading", { name: "Versions of Weekly churn" }, LOAD)).toBeInTheDocument();
    const items = within(screen.getByRole("list", { name: "Timeline" })).getAllByRole("listitem");
    expect(items[0]).toHaveTextContent("v2");
    expect(items[0]).toHaveTextContent("stricter filter");
    expect(items[0]).toHaveTextContent("bob");
    expect(items[1]).toHaveTextContent("v1");
    expect(screen.getByLabelText("From version")).toHaveValue("1");
    expect(screen.getByLabelText("To version")).toHaveValue("2");
    const params = await screen.findByRole("table", { name: "Parameter changes" }, LOAD);
    expect(within(params).getAllByRole("cell").map((cell) => cell.textContent)).toEqual(["clean", "max", "1", "2"]);
    expect(screen.getByRole("table", { name: "Settings changes" })).toHaveTextContent("@daily");
    expect(screen.getByText("From v1 to v2: 1 node changed, 1 edge added, 1 setting changed")).toBeInTheDocument();
    const compare = requests.find((request) => (request.body as { operationName?: string })?.operationName === "StudioCompareVersions");
    expect((compare!.body as { variables: unknown }).variables).toEqual({ id: "wf-1", from: 1, to: 2 });
  });

  it("restores an older version as a new one and says which", async () => {
    signedInAs("editor");
    renderStudio("/workflows/wf-1/versions", studio().fetch);
    await userEvent.setup().click(await screen.findByRole("button", { name: "Restore version 1" }, LOAD));
    expect(await screen.findByText("Restored version 1 as version 3", {}, LOAD)).toHaveAttribute("role", "status");
    // The timeline is read again after the restore: the new version comes first.
    await waitFor(() =>
      expect(within(screen.getByRole("list", { name: "Timeline" })).getAllByRole("listitem")[0]).toHaveTextContent("v3"),
      LOAD,
    );
    expect(screen.getByText("Restored version 1 as version 3")).toHaveAttribute("role", "status");
  });

  it("offers a viewer no restore", async () => {
    signedInAs("viewer");
    renderStudio("/workflows/wf-1/versions", studio().fetch);
    await screen.findByRole("heading", { name: "Versions of Weekly churn" }, LOAD);
    expect(screen.queryByRole("button", { name: /Restore/ })).not.toBeInTheDocument();
  });
});
