import { useState } from "react";
import { Link } from "react-router";

import { lastRun, listWorkflows, targetLabel, type WorkflowSummary } from "../api/workflows";
import { formatTime } from "../format";
import { Allowed } from "../session/Allowed";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useDebounced } from "../useDebounced";
import { useLoad } from "../useLoad";
import { NewWorkflowForm } from "./NewWorkflowForm";

function PublishedState({ workflow }: { workflow: WorkflowSummary }) {
  if (workflow.publishedVersion === null) return <span className="badge">draft</span>;
  const behind = workflow.publishedVersion < workflow.currentVersion;
  return (
    <span className="badge published">
      published v{workflow.publishedVersion}
      {behind ? ` (v${workflow.currentVersion} saved)` : ""}
    </span>
  );
}

function WorkflowRow({ workflow }: { workflow: WorkflowSummary }) {
  const run = lastRun(workflow);
  return (
    <tr>
      <td>
        <Link to={`/workflows/${encodeURIComponent(workflow.id)}`}>
          {workflow.title || workflow.name}
        </Link>
        <div className="muted">{workflow.name}</div>
      </td>
      <td>
        <PublishedState workflow={workflow} />
      </td>
      <td>{targetLabel(workflow.publishTarget)}</td>
      <td>{run ? <span className={`state state-${run.recordedState}`}>{run.recordedState}</span> : "never run"}</td>
      <td>{formatTime(run?.createdAt)}</td>
      <td>{formatTime(workflow.updatedAt)}</td>
      <td>{workflow.owner}</td>
    </tr>
  );
}

export default function WorkflowsPage() {
  const { graphql, session } = useSignedIn();
  const [search, setSearch] = useState("");
  const settled = useDebounced(search, 300);
  const loaded = useLoad(() => listWorkflows(graphql, { search: settled }), [graphql, settled]);

  return (
    <section aria-labelledby="workflows-title">
      <div className="page-head">
        <h1 id="workflows-title">Workflows</h1>
        <Allowed role="editor">
          <NewWorkflowForm />
          <Link to="/workflows/templates">Start from a template</Link>
        </Allowed>
      </div>
      <input
        type="search"
        aria-label="Search workflows"
        placeholder="Search"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      {loaded.state === "loading" && <Loading what="workflows" />}
      {loaded.state === "failed" && <Failure message={loaded.message} />}
      {loaded.state === "done" &&
        (loaded.data.nodes.length === 0 ? (
          <p className="muted">
            {settled ? "No workflow matches." : `Tenant ${session.tenant} has no workflows yet.`}
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Workflow</th>
                <th>Published</th>
                <th>Runs on</th>
                <th>Last run</th>
                <th>Last run at</th>
                <th>Saved</th>
                <th>Owner</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.nodes.map((workflow) => (
                <WorkflowRow key={workflow.id} workflow={workflow} />
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
