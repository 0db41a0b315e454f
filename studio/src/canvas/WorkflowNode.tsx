import type { NodeProps } from "@xyflow/react";

import "./canvas.css";
import { PortHandle } from "./PortHandle";
import type { WorkflowFlowNode } from "./specToFlow";

/** Where the i-th of n handles sits along a node's side, in percent. */
function offset(index: number, count: number): string {
  return `${((index + 1) * 100) / (count + 1)}%`;
}

/** Words for a run state as a person reads them ("upstream_failed" → "upstream failed"). */
function words(value: string): string {
  return value.replace(/_/g, " ");
}

/**
 * A node of the design: its id and type, a handle per port (named on hover), and what other
 * views say about it: a run state (live runs), a diff mark (versions) and its problem count.
 * Each is visible text, not only a colour, so it reads the same to everyone.
 */
export function WorkflowNode({ id, data, selected }: NodeProps<WorkflowFlowNode>) {
  const classes = ["wf-node"];
  if (data.state) classes.push(`wf-node--${data.state}`);
  if (data.mark) classes.push(`wf-node--mark-${data.mark}`);
  if (data.problems) classes.push("wf-node--problems");
  if (selected) classes.push("wf-node--selected");
  return (
    <div className={classes.join(" ")}>
      {data.inputs.map((port, index) => (
        <PortHandle key={`in-${port}`} nodeId={id} port={port} kind="input" top={offset(index, data.inputs.length)} />
      ))}
      <div className="wf-node-id">{id}</div>
      <div className="wf-node-type">{data.type}</div>
      {(data.state || data.mark || data.problems) && (
        <div className="wf-node-badges">
          {data.state && <span className="wf-node-state">{words(data.state)}</span>}
          {data.mark && <span className="wf-node-mark">{data.mark}</span>}
          {data.problems ? (
            <span className="wf-node-problems">
              {data.problems} {data.problems === 1 ? "problem" : "problems"}
            </span>
          ) : null}
        </div>
      )}
      {data.outputs.map((port, index) => (
        <PortHandle key={`out-${port}`} nodeId={id} port={port} kind="output" top={offset(index, data.outputs.length)} />
      ))}
    </div>
  );
}
