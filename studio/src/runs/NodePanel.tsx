import { useState } from "react";
import { useNavigate } from "react-router";

import { loadNodeDetail, retryRun, type DataPreview, type NodeRunState } from "../api/runs";
import { formatTime } from "../format";
import { Allowed } from "../session/Allowed";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { isSignedOut, messageOf } from "./errors";
import { stateWords } from "./runState";

export interface NodePanelProps {
  runId: string;
  workflowId: string;
  /** The node as the live run knows it: state and tries update while the panel is open. */
  node: NodeRunState;
  onClose(): void;
}

/** One node of a run: state, tries, times, error, log tail, output preview, and retry. */
export function NodePanel({ runId, workflowId, node, onClose }: NodePanelProps) {
  const { graphql } = useSignedIn();
  // Logs and data are read again when the node's state or try changes, not on every update.
  const detail = useLoad(() => loadNodeDetail(graphql, runId, node.nodeId), [graphql, runId, node.nodeId, node.state, node.tryNumber]);

  return (
    <section className="node-panel" aria-label={`Node ${node.nodeId}`}>
      <div className="node-panel-head">
        <h2>{node.nodeId}</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="node-panel-facts">
        <dt>State</dt>
        <dd>{stateWords(node.state)}</dd>
        <dt>Tries</dt>
        <dd>{node.tryNumber}</dd>
        <dt>Started</dt>
        <dd>{formatTime(node.start)}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(node.end)}</dd>
        {node.type && (
          <>
            <dt>Type</dt>
            <dd>{node.type}</dd>
          </>
        )}
      </dl>
      {node.logUrl && (
        <p>
          <a href={node.logUrl} target="_blank" rel="noreferrer">
            Open in Airflow
          </a>
        </p>
      )}
      {node.error && (
        <>
          <h3>Error</h3>
          <p className="error">{node.error}</p>
        </>
      )}
      {node.state === "failed" && <RetryButton runId={runId} workflowId={workflowId} nodeId={node.nodeId} />}
      {detail.state === "loading" && <Loading what="the log and output" />}
      {detail.state === "failed" && <Failure message={`Could not read node ${node.nodeId}: ${detail.message}`} />}
      {detail.state === "done" && detail.data && (
        <>
          <h3>Log tail</h3>
          {detail.data.logTail ? (
            <pre className="node-panel-log" tabIndex={0} aria-label={`Log of ${node.nodeId}`}>
              {detail.data.logTail}
            </pre>
          ) : (
            <p className="muted">No log yet.</p>
          )}
          <h3>Output preview</h3>
          {detail.data.preview ? <PreviewTable preview={detail.data.preview} /> : <p className="muted">No output to preview.</p>}
        </>
      )}
    </section>
  );
}

function RetryButton({ runId, workflowId, nodeId }: { runId: string; workflowId: string; nodeId: string }) {
  const { graphql, signOut } = useSignedIn();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function retry() {
    setBusy(true);
    setError(null);
    try {
      const newRun = await retryRun(graphql, runId, nodeId);
      navigate(`/workflows/${encodeURIComponent(workflowId)}/runs/${encodeURIComponent(newRun)}`, {
        state: { rerun: true },
      });
    } catch (failure) {
      if (isSignedOut(failure)) signOut();
      setError(`Could not retry from ${nodeId}: ${messageOf(failure)}`);
      setBusy(false);
    }
  }

  return (
    <Allowed role="editor">
      <p>
        <button type="button" onClick={retry} disabled={busy}>
          Retry from this node
        </button>
      </p>
      {error && <Failure message={error} />}
    </Allowed>
  );
}

function PreviewTable({ preview }: { preview: DataPreview }) {
  const rows = preview.rows as unknown[][];
  return (
    <div className="node-panel-preview">
      <table>
        <caption>
          {preview.dataset} ({preview.port}): {rows.length} of {preview.rowCount} rows
          {preview.moreColumns > 0 ? `, ${preview.moreColumns} more columns not shown` : ""}
        </caption>
        <thead>
          <tr>
            {preview.columns.map((column) => (
              <th key={column.name} scope="col" title={column.type}>
                {column.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {preview.columns.map((column, at) => (
                <td key={column.name}>{cell(Array.isArray(row) ? row[at] : (row as Record<string, unknown>)[column.name])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
