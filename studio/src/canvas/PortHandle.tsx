import { Handle, Position, useConnection, type ConnectionState } from "@xyflow/react";

import { usePortRules } from "./portRules";

/** The end a connection is being dragged from, as "type|node|port" (a string, so a node
 * re-renders when the drag starts or ends, not on every pointer move). */
function fromKey(connection: ConnectionState): string {
  const from = connection.inProgress ? connection.fromHandle : null;
  return from ? `${from.type}|${from.nodeId}|${from.id ?? ""}` : "";
}

interface PortHandleProps {
  nodeId: string;
  port: string;
  kind: "input" | "output";
  top: string;
}

/**
 * A port's handle. While a connection is dragged from a port of the other kind, a handle the
 * builder would accept is highlighted and one it would refuse is dimmed and takes no drop.
 */
export function PortHandle({ nodeId, port, kind, top }: PortHandleProps) {
  const rules = usePortRules();
  const from = useConnection(fromKey);
  let verdict: "compatible" | "refused" | null = null;
  if (rules && from) {
    const [fromType, fromNode, fromPort] = from.split("|");
    if (kind === "input" && fromType === "source") {
      verdict = rules({ source: fromNode, sourcePort: fromPort, target: nodeId, targetPort: port }) ? "compatible" : "refused";
    } else if (kind === "output" && fromType === "target") {
      verdict = rules({ source: nodeId, sourcePort: port, target: fromNode, targetPort: fromPort }) ? "compatible" : "refused";
    }
  }
  return (
    <Handle
      id={port}
      type={kind === "input" ? "target" : "source"}
      position={kind === "input" ? Position.Left : Position.Right}
      style={{ top }}
      title={port}
      className={verdict ? `wf-handle--${verdict}` : undefined}
      isConnectableEnd={verdict !== "refused"}
    />
  );
}
