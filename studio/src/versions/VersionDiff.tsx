import { useMemo } from "react";

import { compareVersions, type WorkflowDiff } from "../api/versions";
import { GraphView } from "../canvas/GraphView";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { diffFlow, movedOnly, showValue } from "./diffFlow";

/** What changed from one version to another: on the canvas, then params and settings as tables. */
export function VersionDiff({ workflowId, from, to }: { workflowId: string; from: number; to: number }) {
  const { graphql } = useSignedIn();
  const loaded = useLoad(() => compareVersions(graphql, workflowId, from, to), [graphql, workflowId, from, to]);
  const flow = useMemo(
    () => (loaded.state === "done" ? diffFlow(loaded.data.fromSpec, loaded.data.toSpec, loaded.data.diff) : null),
    [loaded],
  );

  if (loaded.state === "loading") return <Loading what={`the changes from v${from} to v${to}`} />;
  if (loaded.state === "failed") {
    return <Failure message={`Could not compare v${from} with v${to}: ${loaded.message}`} />;
  }
  const { diff } = loaded.data;
  return (
    <div className="version-diff">
      <p>
        From v{from} to v{to}: {summary(diff)}
      </p>
      <ul className="diff-legend" aria-label="Legend">
        <li className="diff-legend-added">added node or edge</li>
        <li className="diff-legend-removed">removed node or edge (dashed)</li>
        <li className="diff-legend-changed">changed node</li>
        <li className="diff-legend-moved">moved node (dotted)</li>
      </ul>
      <GraphView
        nodes={flow!.nodes}
        edges={flow!.edges}
        label={`Changes from v${from} to v${to}`}
        region
        className="diff-canvas"
      />
      <ParamsTable diff={diff} />
      <SettingsTable diff={diff} />
    </div>
  );
}

function summary(diff: WorkflowDiff): string {
  const moved = diff.nodesChanged.filter(movedOnly).length;
  const parts = [
    [diff.nodesAdded.length, "node added", "nodes added"],
    [diff.nodesRemoved.length, "node removed", "nodes removed"],
    [diff.nodesChanged.length - moved, "node changed", "nodes changed"],
    [moved, "node moved", "nodes moved"],
    [diff.edgesAdded.length, "edge added", "edges added"],
    [diff.edgesRemoved.length, "edge removed", "edges removed"],
    [diff.settingsChanged.length, "setting changed", "settings changed"],
  ] as const;
  const said = parts.filter(([count]) => count > 0).map(([count, one, many]) => `${count} ${count === 1 ? one : many}`);
  return said.length ? said.join(", ") : "no changes";
}

interface ValueChangeRow {
  /** The node it belongs to, for parameter changes. */
  nodeId?: string;
  path: string;
  before?: unknown;
  after?: unknown;
}

function ParamsTable({ diff }: { diff: WorkflowDiff }) {
  if (diff.paramsChanged.length === 0) return <p className="muted">No parameter changed.</p>;
  return <ChangesTable caption="Parameter changes" first="Path" rows={diff.paramsChanged} withNode />;
}

function SettingsTable({ diff }: { diff: WorkflowDiff }) {
  if (diff.settingsChanged.length === 0) return null;
  return <ChangesTable caption="Settings changes" first="Setting" rows={diff.settingsChanged} />;
}

/** Before and after of each changed value, a row per dotted path. */
function ChangesTable({ caption, first, rows, withNode = false }: {
  caption: string;
  first: string;
  rows: ValueChangeRow[];
  withNode?: boolean;
}) {
  return (
    <table className="diff-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {withNode && <th scope="col">Node</th>}
          <th scope="col">{first}</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((change) => (
          <tr key={`${change.nodeId ?? ""}:${change.path}`}>
            {withNode && <td>{change.nodeId}</td>}
            <td>
              <code>{change.path}</code>
            </td>
            <td>{showValue(change.before)}</td>
            <td>{showValue(change.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
