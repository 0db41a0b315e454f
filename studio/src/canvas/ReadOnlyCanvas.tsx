import { Background, Controls, MiniMap, ReactFlow } from "@xyflow/react";
import { useMemo } from "react";

import type { WorkflowSpec } from "../api/workflows";
import { specToFlow } from "./specToFlow";
import { WorkflowNode } from "./WorkflowNode";

const NODE_TYPES = { workflow: WorkflowNode };

/** A version's graph to look at: no palette, no wiring, nothing to move or delete. */
export function ReadOnlyCanvas({ spec }: { spec: WorkflowSpec }) {
  const flow = useMemo(() => specToFlow(spec), [spec]);
  return (
    <>
      <div className="canvas" aria-label="Workflow graph">
        <ReactFlow
          nodes={flow.nodes}
          edges={flow.edges}
          nodeTypes={NODE_TYPES}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          deleteKeyCode={null}
          fitView
        >
          <Background />
          <MiniMap pannable zoomable ariaLabel="Mini map" />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
      {flow.nodes.length === 0 && <p className="muted">This version has no nodes yet.</p>}
    </>
  );
}
