import { Background, Controls, MiniMap, ReactFlow, type Edge } from "@xyflow/react";
import "@xyflow/react/dist/style.css";

import type { WorkflowFlowNode } from "./specToFlow";
import { WorkflowNode } from "./WorkflowNode";

const NODE_TYPES = { workflow: WorkflowNode };

interface GraphViewProps {
  nodes: WorkflowFlowNode[];
  edges: Edge[];
  /** The graph's accessible name. */
  label: string;
  /** A named landmark (the run and diff pages) rather than a labelled box. */
  region?: boolean;
  className?: string;
  minimap?: boolean;
  /** Clicking a node selects it (the run page opens its panel); otherwise nothing is selectable. */
  onNodeClick?: (nodeId: string) => void;
}

/** A graph to look at, not edit: nothing to move, wire or delete. Shared by the read-only
 * canvas, the run page and the versions diff. */
export function GraphView({ nodes, edges, label, region, className, minimap, onNodeClick }: GraphViewProps) {
  return (
    <div className={className ? `canvas ${className}` : "canvas"} role={region ? "region" : undefined} aria-label={label}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={onNodeClick !== undefined}
        deleteKeyCode={null}
        onNodeClick={onNodeClick && ((_, node) => onNodeClick(node.id))}
        fitView
      >
        <Background />
        {minimap && <MiniMap pannable zoomable ariaLabel="Mini map" />}
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
