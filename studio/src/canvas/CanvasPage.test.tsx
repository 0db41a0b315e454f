import "../test/reactFlowStubs";

import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { WorkflowHeader, WorkflowSpec } from "../api/workflows";
import { answering, json, type Recorded } from "../test/answers";
import { renderStudio } from "../test/renderStudio";

function signedInAs(role: string) {
  sessionStorage.setItem(
    "airloom.studio.session",
    JSON.stringify({ token: "tok", username: "ann", tenant: "acme", role, expiresAt: Date.now() + 60_000 }),
  );
}

const HEADER = { id: "wf-1", name: "churn", title: "Weekly churn", currentVersion: 1, publishedVersion: null, publishTarget: "DAG_FILE" };
const version = (number: number, spec: WorkflowSpec, message = "") => ({
  number,
  spec,
  message,
  createdBy: "bob",
  createdAt: "2026-03-01T10:00:00+00:00",
});
const EMPTY = { metadata: { name: "churn" }, nodes: [], edges: [] };
const LATEST = { metadata: { name: "churn" }, nodes: [{ id: "someone_elses", type: "train", params: {} }], edges: [] };

const TABLE = { name: "table", type: "table", description: "", required: true, many: false };
const NODE_TYPES = [
  {
    type: "file_ingest",
    category: "ingest",
    description: "Read files",
    paramsSchema: {
      type: "object",
      properties: { source: { type: "string", title: "Source" } },
      required: ["source"],
    },
    inputs: [],
    outputs: [TABLE],
  },
  { type: "train", category: "ml", description: "Train a model", paramsSchema: { type: "object", properties: {} }, inputs: [TABLE], outputs: [] },
];

/** The builder's answers; validation says what the real one would about a missing source. */
function builder(options: { stale?: boolean; header?: Partial<WorkflowHeader> } = {}) {
  let current = version(1, EMPTY);
  const validate = (request: Recorded) => {
    const spec = (request.body as { variables: { spec: WorkflowSpec } }).variables.spec;
    const problems = (spec.nodes ?? []).flatMap((node, index) =>
      node.type === "file_ingest" && !node.params?.source
        ? [{ code: "INVALID_PARAMS", message: "Field required", nodeId: node.id, field: `nodes.${index}.params.source` }]
        : [],
    );
    return json({ data: { validateWorkflow: problems } });
  };
  return answering({
    "graphql StudioWorkflow": () => json({ data: { workflow: { ...HEADER, currentVersion: current.number, ...options.header } } }),
    "graphql StudioWorkflowVersion": () => json({ data: { workflow: { version: current } } }),
    "graphql StudioNodeTypes": () => json({ data: { nodeTypes: NODE_TYPES } }),
    "graphql StudioValidateWorkflow": validate,
    "graphql StudioUpdateWorkflow": (request) => {
      const { expectedVersion, spec, message } = (request.body as { variables: { expectedVersion: number; spec: WorkflowSpec; message: string } }).variables;
      if (options.stale) {
        options.stale = false;
        current = version(2, LATEST, "theirs");
        return json({
          data: null,
          errors: [{ message: `the workflow is at version 2, not ${expectedVersion}: load version 2, reapply your change and save again`, extensions: { code: "CONFLICT" } }],
        });
      }
      current = version(current.number + 1, spec, message);
      return json({ data: { updateWorkflow: current } });
    },
  });
}

// Each test loads the page's chunks (rjsf's is large) and types into forms: seconds on a busy
// machine, where the default second to find something is too short.
configure({ asyncUtilTimeout: 10_000 });

describe("the canvas editor", { timeout: 60_000 }, () => {
  it("adds a node from the palette, shows its problem on the node, the list and the field, and clears it when fixed", async () => {
    signedInAs("editor");
    const { fetch } = builder();
    renderStudio("/workflows/wf-1", fetch);
    const user = userEvent.setup();
    const palette = await screen.findByRole("region", { name: "Node palette" });
    await user.type(within(palette).getByLabelText("Search node types"), "files");
    expect(within(palette).queryByRole("button", { name: "train" })).not.toBeInTheDocument();
    await user.click(within(palette).getByRole("button", { name: "file_ingest" }));

    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();
    const problems = screen.getByRole("list", { name: "Problems" });
    await waitFor(() => expect(problems).toHaveTextContent("file_ingest_1 source: Field required"));
    expect(screen.getByText("1 problem")).toBeInTheDocument();
    const form = await screen.findByRole("form", { name: "Parameters of file_ingest_1" });
    expect(within(form).getByText("Field required")).toBeInTheDocument();

    // Two edits of one field: a paste, then a key.
    await user.click(within(form).getByLabelText(/Source/));
    await user.paste("lake://sales.cs");
    await user.keyboard("v");
    await waitFor(() => expect(within(problems).queryAllByRole("listitem")).toHaveLength(0));
    expect(screen.queryByText("1 problem")).not.toBeInTheDocument();

    // Typing was one step: one undo takes the source away, another the node.
    await user.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(problems).toHaveTextContent("Field required"));
    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(screen.queryByText("file_ingest_1")).not.toBeInTheDocument();
    expect(screen.queryByText("Unsaved changes")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Redo" }));
    expect(screen.getAllByText("file_ingest_1").length).toBeGreaterThan(0);
  });

  it("says which version is published and where its runs happen", async () => {
    signedInAs("viewer");
    const { fetch } = builder({ header: { publishedVersion: 1, publishTarget: "MWAA_SERVERLESS" } });
    renderStudio("/workflows/wf-1", fetch);
    const heading = await screen.findByRole("heading", { name: "Weekly churn" });
    const summary = heading.parentElement as HTMLElement;
    await waitFor(() => expect(summary).toHaveTextContent("published v1 · runs on Amazon MWAA Serverless"));
  });

  it("says a draft would run on Airflow where the deployment publishes DAG files", async () => {
    signedInAs("viewer");
    const { fetch } = builder();
    renderStudio("/workflows/wf-1", fetch);
    const heading = await screen.findByRole("heading", { name: "Weekly churn" });
    expect(heading.parentElement).toHaveTextContent("not published · runs on Airflow");
  });

  it("saves with a message, and on a stale save lets the person reload the newer version", async () => {
    signedInAs("editor");
    const { fetch, requests } = builder({ stale: true });
    renderStudio("/workflows/wf-1", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "train" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.type(screen.getByLabelText("Version message"), "add training");
    await user.click(screen.getByRole("button", { name: "Save version" }));

    const dialog = await screen.findByRole("alertdialog", { name: "Someone saved a newer version" });
    expect(dialog).toHaveTextContent("the workflow is at version 2, not 1");
    await user.click(within(dialog).getByRole("button", { name: "Reload" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(screen.getAllByText("someone_elses").length).toBeGreaterThan(0);
    expect(screen.queryByText("train_1")).not.toBeInTheDocument();
    expect(screen.getByText("Saved as version 2")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "train" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.type(screen.getByLabelText("Version message"), "mine too");
    await user.click(screen.getByRole("button", { name: "Save version" }));
    expect(await screen.findByText("Saved as version 3")).toBeInTheDocument();
    const saves = requests.filter((request) => (request.body as { operationName?: string })?.operationName === "StudioUpdateWorkflow");
    expect(saves.map((request) => (request.body as { variables: { expectedVersion: number; message: string } }).variables)).toMatchObject([
      { expectedVersion: 1, message: "add training" },
      { expectedVersion: 2, message: "mine too" },
    ]);
  });

  it("overwrites knowingly: the save names the version it replaces", async () => {
    signedInAs("admin");
    const { fetch, requests } = builder({ stale: true });
    renderStudio("/workflows/wf-1", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "train" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.click(screen.getByRole("button", { name: "Save version" }));
    await user.click(await screen.findByRole("button", { name: "Overwrite" }));
    expect(await screen.findByText("Saved as version 3")).toBeInTheDocument();
    const last = requests.filter((request) => (request.body as { operationName?: string })?.operationName === "StudioUpdateWorkflow").at(-1)!;
    const spec = (last.body as { variables: { expectedVersion: number; spec: WorkflowSpec } }).variables;
    expect(spec.expectedVersion).toBe(2);
    expect(spec.spec.nodes?.map((node) => node.id)).toEqual(["train_1"]);
  });

  it("connects an input from the keyboard, offering only outputs of its type", async () => {
    signedInAs("editor");
    const { fetch, requests } = builder();
    renderStudio("/workflows/wf-1", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "file_ingest" }));
    await user.click(screen.getByRole("button", { name: "train" }));
    const inputs = screen.getByRole("region", { name: "Inputs of train_1" });
    await user.selectOptions(within(inputs).getByLabelText("Connect train_1.table from"), "file_ingest_1.table");
    expect(within(inputs).getByRole("button", { name: "Disconnect file_ingest_1.table from train_1.table" })).toBeInTheDocument();
    // The input takes one edge: nothing more is offered.
    expect(within(inputs).queryByLabelText("Connect train_1.table from")).not.toBeInTheDocument();
    // A problem in the list selects its node.
    await user.click(await screen.findByRole("button", { name: "file_ingest_1 source: Field required" }));
    expect(screen.getByRole("heading", { name: "file_ingest_1", level: 2 })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.click(screen.getByRole("button", { name: "Save version" }));
    expect(await screen.findByText("Saved as version 2")).toBeInTheDocument();
    const save = requests.find((request) => (request.body as { operationName?: string })?.operationName === "StudioUpdateWorkflow")!;
    expect((save.body as { variables: { spec: WorkflowSpec } }).variables.spec.edges).toEqual([
      { source: "file_ingest_1.table", target: "train_1.table" },
    ]);
  });

  it("copies, pastes and deletes the selected node from the keyboard", async () => {
    signedInAs("editor");
    const { fetch } = builder();
    renderStudio("/workflows/wf-1", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "train" }));
    await user.keyboard("{Control>}c{/Control}{Control>}v{/Control}");
    // The copy is selected: its panel is open.
    expect(await screen.findByRole("heading", { name: "train_2" })).toBeInTheDocument();
    await user.keyboard("{Delete}");
    expect(screen.queryByText("train_2")).not.toBeInTheDocument();
    expect(screen.getAllByText("train_1").length).toBeGreaterThan(0);
    await user.keyboard("{Control>}z{/Control}");
    expect(screen.getAllByText("train_2").length).toBeGreaterThan(0);
  });

  it("asks before following a link away from unsaved changes", async () => {
    signedInAs("editor");
    const { fetch } = builder();
    const router = renderStudio("/workflows/wf-1", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "train" }));
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    await user.click(screen.getByRole("link", { name: "All workflows" }));
    expect(confirm).toHaveBeenCalledWith("Leave this workflow? Your unsaved changes will be lost.");
    expect(router.state.location.pathname).toBe("/workflows/wf-1");
    await user.click(screen.getByRole("link", { name: "All workflows" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/workflows"));
    confirm.mockRestore();
  });

  it("gives a viewer the graph with no editing controls", async () => {
    signedInAs("viewer");
    const { fetch, requests } = builder();
    renderStudio("/workflows/wf-1", fetch);
    expect(await screen.findByRole("heading", { name: "Weekly churn" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Node palette" })).not.toBeInTheDocument();
    for (const name of ["Undo", "Save", "Delete", "Auto-layout"]) {
      expect(screen.queryByRole("button", { name })).not.toBeInTheDocument();
    }
    expect(requests.some((request) => (request.body as { operationName?: string })?.operationName === "StudioNodeTypes")).toBe(false);
  });
});
