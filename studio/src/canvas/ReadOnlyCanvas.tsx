import { useMemo } from "react";

import type { WorkflowSpec } from "../api/workflows";
import { GraphView } from "./GraphView";
import { specToFlow } from "./specToFlow";

/** A version's graph to look at: no palette, no wiring, nothing to move or delete. */
export function ReadOnlyCanvas({ spec }: { spec: WorkflowSpec }) {
  const flow = useMemo(() => specToFlow(spec), [spec]);
  return (
    <>
      <GraphView nodes={flow.nodes} edges={flow.edges} label="Workflow graph" minimap />
      {flow.nodes.length === 0 && <p className="muted">This version has no nodes yet.</p>}
    </>
  );
}
