import { useState } from "react";
import { Link, useParams } from "react-router";

import { listRuns, type RunSummary } from "../api/runs";
import { formatTime } from "../format";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { WorkflowActions } from "./WorkflowActions";
import "./runs.css";

/** Every run of one workflow, newest first, each with the version it ran. */
export default function RunsPage() {
  const { id = "" } = useParams();
  const { graphql } = useSignedIn();
  const loaded = useLoad(() => listRuns(graphql, id), [graphql, id]);
  // Publishing from this page changes what it says is published without a reload.
  const [published, setPublished] = useState<number | null>(null);

  if (loaded.state === "loading") return <Loading what="the runs" />;
  if (loaded.state === "failed") return <Failure message={`Could not list the runs: ${loaded.message}`} />;
  const { workflow, runs } = loaded.data;
  const publishedVersion = published ?? workflow.publishedVersion;
  const base = `/workflows/${encodeURIComponent(workflow.id)}`;
  return (
    <section aria-labelledby="runs-title">
      <div className="page-head">
        <h1 id="runs-title">Runs of {workflow.title || workflow.name}</h1>
        <p className="muted">
          {publishedVersion === null ? "Not published" : `Published v${publishedVersion}`}
          {" · "}
          <Link to={base}>Open the workflow</Link>
        </p>
        <WorkflowActions
          workflowId={workflow.id}
          version={workflow.currentVersion}
          dirty={false}
          onPublished={setPublished}
        />
      </div>
      {runs.length === 0 ? (
        <p className="muted">This workflow has not run yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Version</th>
              <th scope="col">State</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
              <th scope="col">Triggered by</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <RunRow key={run.id} base={base} run={run} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RunRow({ base, run }: { base: string; run: RunSummary }) {
  return (
    <tr>
      <td>
        <Link to={`${base}/runs/${encodeURIComponent(run.id)}`}>
          {formatTime(run.createdAt)}
        </Link>
      </td>
      <td>v{run.version}</td>
      <td>
        <span className={`state state-${run.state}`}>{run.state}</span>
      </td>
      <td>{formatTime(run.start)}</td>
      <td>{formatTime(run.end)}</td>
      <td>
        {run.triggeredBy} <span className="muted">({run.runType})</span>
      </td>
    </tr>
  );
}
