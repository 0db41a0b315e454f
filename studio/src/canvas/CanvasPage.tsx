import "@xyflow/react/dist/style.css";
import { useCallback, useState } from "react";
import { Link, useParams } from "react-router";

import { loadNodeTypes } from "../api/editor";
import { atLeast } from "../api/roles";
import { loadLatest, targetLabel, type WorkflowVersion } from "../api/workflows";
import { formatTime } from "../format";
import { WorkflowActions } from "../runs/WorkflowActions";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import "./canvas.css";
import { Editor } from "./Editor";
import { ReadOnlyCanvas } from "./ReadOnlyCanvas";

/** A workflow's latest version: the editor for editors and above, a read-only graph for viewers. */
export default function CanvasPage() {
  const { id = "" } = useParams();
  const { graphql, session } = useSignedIn();
  const canEdit = atLeast(session.role, "editor");
  const loaded = useLoad(
    async () => {
      const [latest, nodeTypes] = await Promise.all([loadLatest(graphql, id), canEdit ? loadNodeTypes(graphql) : []]);
      return { ...latest, nodeTypes };
    },
    [graphql, id, canEdit],
  );
  // Saving or reloading moves the design to another version; the header follows.
  const [current, setCurrent] = useState<WorkflowVersion | null>(null);
  const [dirty, setDirty] = useState(false);
  const onDirty = useCallback((value: boolean) => setDirty(value), []);

  if (loaded.state === "loading") return <Loading what="the workflow" />;
  if (loaded.state === "failed") return <Failure message={loaded.message} />;
  const { workflow, nodeTypes } = loaded.data;
  const version = current ?? loaded.data.version;
  return (
    <section className={canEdit ? "canvas-page canvas-page--edit" : "canvas-page"} aria-labelledby="canvas-title">
      <div className="page-head">
        <h1 id="canvas-title">{workflow.title || workflow.name}</h1>
        <p className="muted">
          Version {version.number} by {version.createdBy}, {formatTime(version.createdAt)}
          {version.message ? ` — ${version.message}` : ""}
          {" · "}
          {workflow.publishedVersion === null ? "not published" : `published v${workflow.publishedVersion}`}
          {` · runs on ${targetLabel(workflow.publishTarget)}`}
          {" · "}
          <Link to="/workflows">All workflows</Link>
        </p>
        <WorkflowActions workflowId={workflow.id} version={version.number} dirty={dirty} />
      </div>
      {canEdit ? (
        <Editor
          graphql={graphql}
          workflow={workflow}
          version={loaded.data.version}
          nodeTypes={nodeTypes}
          onVersion={setCurrent}
          onDirty={onDirty}
        />
      ) : (
        <ReadOnlyCanvas spec={version.spec} />
      )}
    </section>
  );
}
