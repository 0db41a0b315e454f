import { Background, Controls, MiniMap, ReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import { Link, useParams } from "react-router";

import { loadLatest } from "../api/workflows";
import { formatTime } from "../format";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { specToFlow } from "./specToFlow";
import { WorkflowNode } from "./WorkflowNode";

const NODE_TYPES = { workflow: WorkflowNode };

/** A workflow's latest version on the canvas, read-only for now. */
export default function CanvasPage() {
  const { id = "" } = useParams();
  const { graphql } = useSignedIn();
  const loaded = useLoad(() => loadLatest(graphql, id), [graphql, id]);
  const flow = useMemo(
    () => (loaded.state === "done" ? specToFlow(loaded.data.version.spec) : null),
    [loaded],
  );

  if (loaded.state === "loading") return <Loading what="the workflow" />;
  if (loaded.state === "failed") return <Failure message={loaded.message} />;
  const { workflow, version } = loaded.data;
  return (
    <section className="canvas-page" aria-labelledby="canvas-title">
      <div className="page-head">
        <h1 id="canvas-title">{workflow.title || workflow.name}</h1>
        <p className="muted">
          Version {version.number} by {version.createdBy}, {formatTime(version.createdAt)}
          {version.message ? ` — ${version.message}` : ""}
          {" · "}
          {workflow.publishedVersion === null ? "not published" : `published v${workflow.publishedVersion}`}
          {" · "}
          <Link to="/workflows">All workflows</Link>
        </p>
      </div>
      <div className="canvas" aria-label="Workflow graph">
        <ReactFlow
          nodes={flow!.nodes}
          edges={flow!.edges}
          nodeTypes={NODE_TYPES}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          deleteKeyCode={null}
          fitView
          proOptions={{ hideAttribution: false }}
        >
          <Background />
          <MiniMap pannable zoomable />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
      {flow!.nodes.length === 0 && <p className="muted">This version has no nodes yet.</p>}
    </section>
  );
}
