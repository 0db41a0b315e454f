import { Handle, Position, type NodeProps } from "@xyflow/react";

import type { WorkflowFlowNode } from "./specToFlow";

/** Where the i-th of n handles sits along a node's side, in percent. */
function offset(index: number, count: number): string {
  return `${((index + 1) * 100) / (count + 1)}%`;
}

/** A node of the design: its id and type, a handle per connected port (named on hover). */
export function WorkflowNode({ id, data }: NodeProps<WorkflowFlowNode>) {
  return (
    <div className="wf-node">
      {data.inputs.map((port, index) => (
        <Handle
          key={`in-${port}`}
          id={port}
          type="target"
          position={Position.Left}
          style={{ top: offset(index, data.inputs.length) }}
          title={port}
        />
      ))}
      <div className="wf-node-id">{id}</div>
      <div className="wf-node-type">{data.type}</div>
      {data.outputs.map((port, index) => (
        <Handle
          key={`out-${port}`}
          id={port}
          type="source"
          position={Position.Right}
          style={{ top: offset(index, data.outputs.length) }}
          title={port}
        />
      ))}
    </div>
  );
}
