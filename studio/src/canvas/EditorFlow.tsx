import {
  applyNodeChanges,
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";
import { useCallback, useEffect, useState, type DragEvent } from "react";

import { NODE_TYPE_MEDIA } from "./palette";
import type { WorkflowFlowNode } from "./specToFlow";
import { WorkflowNode } from "./WorkflowNode";

const NODE_TYPES = { workflow: WorkflowNode };

interface EditorFlowProps {
  /** Drawn from the spec, selection and problems: React Flow only reports changes. */
  nodes: WorkflowFlowNode[];
  edges: Edge[];
  isValidConnection: IsValidConnection;
  onConnect(connection: Connection): void;
  onSelect(nodes: string[] | null, edges: string[] | null): void;
  onMoved(positions: Map<string, XYPosition>): void;
  onDropType(type: string, at: XYPosition): void;
}

/** Whether a change reports a node or edge (de)selected: the editor keeps the selection. */
function selections<T extends { type: string }>(changes: T[]): (T & { type: "select"; id: string; selected: boolean })[] {
  return changes.filter((change) => change.type === "select") as (T & { type: "select"; id: string; selected: boolean })[];
}

function applySelection(current: string[], changes: { id: string; selected: boolean }[]): string[] {
  const next = new Set(current);
  for (const change of changes) {
    if (change.selected) next.add(change.id);
    else next.delete(change.id);
  }
  return [...next];
}

/** The editable React Flow canvas. Positions live here while a node is dragged and go into
 * the spec (one undo step) when the drag ends or an arrow key moves a selected node. */
export function EditorFlow(props: EditorFlowProps) {
  const { nodes: drawn, edges, onSelect, onMoved, onDropType } = props;
  const { screenToFlowPosition } = useReactFlow();
  const [nodes, setNodes] = useState(drawn);
  // React Flow measures nodes and keeps the sizes on them: kept across redraws from the spec.
  useEffect(() => {
    setNodes((before) => {
      const measured = new Map(before.map((node) => [node.id, node.measured]));
      return drawn.map((node) => ({ ...node, measured: measured.get(node.id) }));
    });
  }, [drawn]);

  const onNodesChange = useCallback(
    (changes: NodeChange<WorkflowFlowNode>[]) => {
      // Deleting goes through the editor (Delete, Backspace, the Delete button): one path.
      setNodes((before) => applyNodeChanges(changes.filter((change) => change.type !== "remove"), before));
      const selected = selections(changes);
      if (selected.length > 0) {
        onSelect(applySelection(drawn.filter((node) => node.selected).map((node) => node.id), selected), null);
      }
      // A drag's last move, or an arrow key's: where the node now stands goes into the spec.
      const moved = new Map<string, XYPosition>();
      for (const change of changes) {
        if (change.type === "position" && change.position && !change.dragging) moved.set(change.id, change.position);
      }
      if (moved.size > 0) onMoved(moved);
    },
    [drawn, onSelect, onMoved],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const selected = selections(changes);
      if (selected.length > 0) {
        onSelect(null, applySelection(edges.filter((edge) => edge.selected).map((edge) => edge.id), selected));
      }
    },
    [edges, onSelect],
  );

  function onDragOver(event: DragEvent) {
    if (!event.dataTransfer.types.includes(NODE_TYPE_MEDIA)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }

  function onDrop(event: DragEvent) {
    const type = event.dataTransfer.getData(NODE_TYPE_MEDIA);
    if (!type) return;
    event.preventDefault();
    onDropType(type, screenToFlowPosition({ x: event.clientX, y: event.clientY }));
  }

  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={NODE_TYPES}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={props.onConnect}
      isValidConnection={props.isValidConnection}
      onDragOver={onDragOver}
      onDrop={onDrop}
      deleteKeyCode={null}
      fitView
    >
      <Background />
      <MiniMap pannable zoomable ariaLabel="Mini map" />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}
