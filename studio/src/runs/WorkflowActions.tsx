import { useState } from "react";
import { Link, useNavigate } from "react-router";

import { publishWorkflow, triggerRun, type Problem } from "../api/runs";
import { Allowed } from "../session/Allowed";
import { useSignedIn } from "../session/StudioContext";
import { isSignedOut, messageOf } from "./errors";
import "./runs.css";

export interface WorkflowActionsProps {
  workflowId: string;
  /** The saved version Publish publishes. */
  version: number;
  /** Unsaved edits on the canvas: publishing or running now would not use them. */
  dirty: boolean;
  /** Told the version published, so the page around can say so too. */
  onPublished?(version: number): void;
}

type Outcome =
  | { kind: "idle" }
  | { kind: "busy"; what: string }
  | { kind: "published"; version: number }
  | { kind: "problems"; version: number; problems: Problem[] }
  | { kind: "failed"; message: string };

const SAVE_FIRST = "Save your changes first";

/** Publish and Run for editors, with links to the workflow's runs and versions for everyone. */
export function WorkflowActions({ workflowId, version, dirty, onPublished }: WorkflowActionsProps) {
  const { graphql, signOut } = useSignedIn();
  const navigate = useNavigate();
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  const base = `/workflows/${encodeURIComponent(workflowId)}`;
  const busy = outcome.kind === "busy";

  function fail(what: string, failure: unknown) {
    if (isSignedOut(failure)) signOut();
    setOutcome({ kind: "failed", message: `${what}: ${messageOf(failure)}` });
  }

  async function publish() {
    setOutcome({ kind: "busy", what: `Publishing version ${version}…` });
    try {
      const result = await publishWorkflow(graphql, workflowId, version);
      if (result.published) onPublished?.(result.version);
      setOutcome(
        result.published
          ? { kind: "published", version: result.version }
          : { kind: "problems", version: result.version, problems: result.problems },
      );
    } catch (failure) {
      fail(`Could not publish version ${version}`, failure);
    }
  }

  async function run() {
    setOutcome({ kind: "busy", what: "Starting a run…" });
    try {
      const runId = await triggerRun(graphql, workflowId);
      navigate(`${base}/runs/${encodeURIComponent(runId)}`);
    } catch (failure) {
      fail("Could not start a run", failure);
    }
  }

  return (
    <div className="workflow-actions">
      <Allowed role="editor">
        <button
          type="button"
          onClick={publish}
          disabled={dirty || busy}
          aria-describedby={dirty ? "workflow-actions-why" : undefined}
        >
          Publish
        </button>
        <button
          type="button"
          onClick={run}
          disabled={dirty || busy}
          aria-describedby={dirty ? "workflow-actions-why" : undefined}
        >
          Run
        </button>
        {dirty && (
          <span id="workflow-actions-why" className="muted">
            {SAVE_FIRST}
          </span>
        )}
      </Allowed>
      <Link to={`${base}/runs`}>Runs</Link>
      <Link to={`${base}/versions`}>Versions</Link>
      <div role="status" className="workflow-actions-status">
        {outcome.kind === "busy" && outcome.what}
        {outcome.kind === "published" && `Published version ${outcome.version}`}
      </div>
      {outcome.kind === "problems" && (
        <div className="workflow-actions-problems">
          <p role="alert" className="error">
            Version {outcome.version} was not published: {outcome.problems.length}{" "}
            {outcome.problems.length === 1 ? "problem" : "problems"} to fix.
          </p>
          <ul aria-label="Publish problems">
            {outcome.problems.map((problem, index) => (
              <li key={index}>
                {problem.nodeId && <strong>{problem.nodeId}</strong>}
                {problem.field && <code> {problem.field}</code>}
                {problem.nodeId || problem.field ? ": " : ""}
                {problem.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {outcome.kind === "failed" && (
        <p role="alert" className="error">
          {outcome.message}
        </p>
      )}
    </div>
  );
}
