import { useId } from "react";

import type { NodeType } from "../api/editor";
import type { SpecEdge, WorkflowSpec } from "../api/workflows";
import { wiringToEdge } from "./flowToSpec";
import { feedsFor, type Wiring } from "./ports";

interface PortsPanelProps {
  spec: WorkflowSpec;
  catalog: ReadonlyMap<string, NodeType>;
  nodeId: string;
  nodeType: NodeType;
  onConnect(edge: SpecEdge): void;
  onDisconnect(edge: SpecEdge): void;
}

function InputPort({ spec, catalog, nodeId, port, onConnect, onDisconnect }: Omit<PortsPanelProps, "nodeType"> & { port: NodeType["inputs"][number] }) {
  const selectId = useId();
  const to = `${nodeId}.${port.name}`;
  const connected = (spec.edges ?? []).filter((edge) => edge.target === to);
  const feeds: Wiring[] = feedsFor(spec, catalog, nodeId, port.name);
  return (
    <li>
      <strong>{port.name}</strong> <span className="muted">({port.type}{port.required ? ", required" : ""}{port.many ? ", takes several" : ""})</span>
      <ul>
        {connected.map((edge) => (
          <li key={edge.source}>
            from {edge.source}{" "}
            <button type="button" className="link-button" onClick={() => onDisconnect(edge)}>
              Disconnect {edge.source} from {to}
            </button>
          </li>
        ))}
      </ul>
      {feeds.length > 0 && (
        <>
          <label htmlFor={selectId}>Connect {to} from</label>{" "}
          <select
            id={selectId}
            value=""
            onChange={(event) => {
              const chosen = feeds[Number(event.target.value)];
              if (chosen) onConnect(wiringToEdge(chosen));
            }}
          >
            <option value="">choose an output…</option>
            {feeds.map((wiring, index) => (
              <option key={`${wiring.source}.${wiring.sourcePort}`} value={index}>
                {wiring.source}.{wiring.sourcePort}
              </option>
            ))}
          </select>
        </>
      )}
    </li>
  );
}

/** The selected node's inputs with what feeds them: connecting and disconnecting without a
 * mouse, offering only outputs the builder would accept. */
export function PortsPanel(props: PortsPanelProps) {
  if (props.nodeType.inputs.length === 0) return null;
  return (
    <section className="ports-panel" aria-labelledby="ports-title">
      <h3 id="ports-title">Inputs of {props.nodeId}</h3>
      <ul>
        {props.nodeType.inputs.map((port) => (
          <InputPort key={port.name} {...props} port={port} />
        ))}
      </ul>
    </section>
  );
}
