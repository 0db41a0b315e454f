import { useMemo, useState } from "react";
import { Link, useLocation, useParams } from "react-router";

import { loadRun, loadRunSpec, type Run } from "../api/runs";
import type { WorkflowSpec } from "../api/workflows";
import { GraphView } from "../canvas/GraphView";
import { specToFlow } from "../canvas/specToFlow";
import { formatTime } from "../format";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { CancelButton } from "./CancelButton";
import { NodePanel } from "./NodePanel";
import { isFinished, NO_STATE, progress, stateWords, withStates } from "./runState";
import "./runs.css";
import { useLiveRun } from "./useLiveRun";

/** One run: its version's graph with live node states, and a panel per node to debug it. */
export default function RunPage() {
  const { runId = "" } = useParams();
  // A retry may answer the same run id (Airflow clears and reruns it): arriving again at the
  // same address is a new location, and the run is loaded afresh.
  const { key, state } = useLocation();
  const rerun = (state as { rerun?: boolean } | null)?.rerun === true;
  const { graphql } = useSignedIn();
  const loaded = useLoad(async () => {
    const run = await loadRun(graphql, runId);
    return { run, spec: await loadRunSpec(graphql, run.workflowId, run.version) };
  }, [graphql, runId, key]);

  if (loaded.state === "loading") return <Loading what="the run" />;
  if (loaded.state === "failed") return <Failure message={`Could not load run ${runId}: ${loaded.message}`} />;
  return <LiveRunView key={`${runId}:${key}`} initial={loaded.data.run} spec={loaded.data.spec} rerun={rerun} />;
}

function LiveRunView({ initial, spec, rerun }: { initial: Run; spec: WorkflowSpec; rerun: boolean }) {
  const { run, fallback, problem } = useLiveRun(initial, rerun);
  const [openNode, setOpenNode] = useState<string | null>(null);
  const design = useMemo(() => specToFlow(spec), [spec]);
  const flow = useMemo(() => withStates(design, run.nodes), [design, run.nodes]);
  const title = run.workflow.title || run.workflow.name;
  const base = `/workflows/${encodeURIComponent(run.workflowId)}`;
  const opened = run.nodes.find((node) => node.nodeId === openNode) ?? null;

  return (
    <section className="run-page" aria-labelledby="run-title">
      <div className="page-head">
        <h1 id="run-title">
          Run of {title}, v{run.version}
        </h1>
        <p className="muted">
          Started by {run.triggeredBy} ({run.runType}), {formatTime(run.start ?? run.createdAt)}
          {run.end ? ` · ended ${formatTime(run.end)}` : ""}
          {" · "}
          <Link to={`${base}/runs`}>All runs</Link>
          {" · "}
          <Link to={base}>Workflow</Link>
        </p>
        <p role="status" className={`run-state run-state--${run.state}`}>
          {progress(run)}
        </p>
        {!isFinished(run.state) && <CancelButton runId={run.id} />}
        {fallback && <p className="muted">{fallback}</p>}
        {problem && <Failure message={problem} />}
      </div>
      <div className="run-body">
        <GraphView
          nodes={flow.nodes}
          edges={flow.edges}
          label={`Graph of run ${run.id}`}
          region
          onNodeClick={setOpenNode}
        />
        <div className="run-side">
          <h2 id="run-nodes">Nodes</h2>
          <ul className="run-nodes" aria-labelledby="run-nodes">
            {run.nodes.map((node) => (
              <li key={node.nodeId}>
                <button
                  type="button"
                  className={`run-node run-node--${node.state ?? NO_STATE}`}
                  aria-pressed={node.nodeId === openNode}
                  onClick={() => setOpenNode(node.nodeId)}
                >
                  {node.nodeId}: {stateWords(node.state)}
                  {node.tryNumber > 1 ? ` (try ${node.tryNumber})` : ""}
                </button>
              </li>
            ))}
          </ul>
          {opened && (
            <NodePanel
              runId={run.id}
              workflowId={run.workflowId}
              node={opened}
              onClose={() => setOpenNode(null)}
            />
          )}
        </div>
      </div>
    </section>
  );
}
