import { ReactFlowProvider, useReactFlow, type Connection, type IsValidConnection, type XYPosition } from "@xyflow/react";
import type { Client } from "@urql/core";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";

import type { NodeType, Problem } from "../api/editor";
import type { WorkflowHeader, WorkflowVersion } from "../api/workflows";
import { copyNodes, pasteClip, type Clip } from "./clipboard";
import { historyReducer, isDirty, startHistory } from "./editorState";
import { EditorFlow } from "./EditorFlow";
import { toWiring, wiringToEdge } from "./flowToSpec";
import { layoutPositions } from "./layout";
import { Palette } from "./Palette";
import { ParamsPanel } from "./ParamsPanel";
import { PortRules } from "./portRules";
import { PortsPanel } from "./PortsPanel";
import { canWire, type Wiring } from "./ports";
import { countByNode, paramsErrors, problemNode } from "./problems";
import { ProblemsList } from "./ProblemsList";
import { SaveControls } from "./SaveControls";
import { addEdge, addNode, edgeKey, moveNodes, removeEdges, removeNodes, setParams } from "./specEdits";
import { specToFlow } from "./specToFlow";
import { useLeaveWarning, useShortcuts } from "./useShortcuts";
import { useValidation } from "./useValidation";

export interface EditorProps {
  graphql: Client;
  workflow: WorkflowHeader;
  version: WorkflowVersion;
  nodeTypes: NodeType[];
  /** The version the design now stands on changed (saved, or reloaded after a conflict). */
  onVersion(version: WorkflowVersion): void;
  /** Whether the design has unsaved changes, for the page's other controls. */
  onDirty(dirty: boolean): void;
}

function EditorInner({ graphql, workflow, version, nodeTypes, onVersion, onDirty }: EditorProps) {
  const flow = useReactFlow();
  const canvasRef = useRef<HTMLDivElement>(null);
  const catalog = useMemo(() => new Map(nodeTypes.map((type) => [type.type, type])), [nodeTypes]);
  const [history, dispatch] = useReducer(historyReducer, version.spec, startHistory);
  const [base, setBase] = useState(version.number);
  const [selected, setSelected] = useState<string[]>([]);
  const [selectedEdges, setSelectedEdges] = useState<string[]>([]);
  const clipboard = useRef<Clip | null>(null);
  const spec = history.present;
  const dirty = isDirty(history);
  const { problems, failure } = useValidation(graphql, spec);
  useLeaveWarning(dirty);
  useEffect(() => onDirty(dirty), [dirty, onDirty]);

  const edit = useCallback((next: typeof spec, key?: string) => dispatch({ kind: "edit", spec: next, key }), []);
  const select = useCallback((nodes: string[]) => {
    setSelected(nodes);
    setSelectedEdges([]);
  }, []);

  const counts = useMemo(() => countByNode(spec, problems), [spec, problems]);
  const drawn = useMemo(() => {
    const { nodes, edges } = specToFlow(spec, catalog);
    const chosen = new Set(selected);
    const chosenEdges = new Set(selectedEdges);
    return {
      nodes: nodes.map((node) => ({
        ...node,
        selected: chosen.has(node.id),
        data: { ...node.data, problems: counts.get(node.id) },
      })),
      edges: edges.map((edge) => ({ ...edge, selected: chosenEdges.has(edge.id) })),
    };
  }, [spec, catalog, selected, selectedEdges, counts]);

  const wiringOk = useCallback((wiring: Wiring) => canWire(spec, catalog, wiring), [spec, catalog]);
  const isValidConnection = useCallback<IsValidConnection>(
    (connection) => {
      const wiring = toWiring(connection);
      return wiring !== null && wiringOk(wiring);
    },
    [wiringOk],
  );
  const onConnect = useCallback(
    (connection: Connection) => {
      const wiring = toWiring(connection);
      if (wiring && wiringOk(wiring)) edit(addEdge(spec, wiringToEdge(wiring)));
    },
    [spec, wiringOk, edit],
  );

  const addAt = useCallback(
    (type: string, at: XYPosition) => {
      const added = addNode(spec, type, at);
      edit(added.spec);
      select([added.id]);
    },
    [spec, edit, select],
  );
  // From the keyboard: the middle of the visible canvas, a little apart from the last one.
  const addFromPalette = useCallback(
    (type: string) => {
      const box = canvasRef.current?.getBoundingClientRect();
      const centre = box ? { x: box.left + box.width / 2, y: box.top + box.height / 2 } : { x: 0, y: 0 };
      const at = flow.screenToFlowPosition(centre);
      const step = ((spec.nodes?.length ?? 0) % 5) * 30;
      addAt(type, { x: at.x - 90 + step, y: at.y - 30 + step });
    },
    [flow, spec, addAt],
  );

  const remove = useCallback(() => {
    if (selected.length === 0 && selectedEdges.length === 0) return;
    edit(removeEdges(removeNodes(spec, selected), selectedEdges));
    select([]);
  }, [spec, selected, selectedEdges, edit, select]);

  useShortcuts(
    {
      undo: () => dispatch({ kind: "undo" }),
      redo: () => dispatch({ kind: "redo" }),
      copy: () => {
        if (selected.length > 0) clipboard.current = copyNodes(spec, selected);
      },
      paste: () => {
        if (!clipboard.current) return;
        const pasted = pasteClip(spec, clipboard.current);
        edit(pasted.spec);
        select(pasted.ids);
        // A second paste lands further along, not on top of the first.
        clipboard.current = copyNodes(pasted.spec, pasted.ids);
      },
      remove,
    },
    true,
  );

  const autoLayout = () => {
    edit(moveNodes(spec, layoutPositions(spec)));
    requestAnimationFrame(() => void flow.fitView());
  };

  const selectedNode = selected.length === 1 ? spec.nodes?.find((node) => node.id === selected[0]) : undefined;
  const nodeOf = useCallback((problem: Problem) => problemNode(spec, problem), [spec]);
  const selectedErrors = useMemo(
    () => (selectedNode ? paramsErrors(spec, selectedNode.id, problems) : {}),
    [spec, selectedNode, problems],
  );

  return (
    <div className="editor">
      <div className="editor-toolbar" role="toolbar" aria-label="Canvas tools">
        <button type="button" onClick={() => dispatch({ kind: "undo" })} disabled={history.past.length === 0} aria-keyshortcuts="Control+Z Meta+Z">
          Undo
        </button>
        <button type="button" onClick={() => dispatch({ kind: "redo" })} disabled={history.future.length === 0} aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z Control+Y">
          Redo
        </button>
        <button type="button" onClick={remove} disabled={selected.length === 0 && selectedEdges.length === 0} aria-keyshortcuts="Delete Backspace">
          Delete
        </button>
        <button type="button" onClick={() => void flow.fitView()}>
          Fit view
        </button>
        <button type="button" onClick={autoLayout} disabled={(spec.nodes?.length ?? 0) === 0}>
          Auto-layout
        </button>
        <SaveControls
          graphql={graphql}
          workflowId={workflow.id}
          baseVersion={base}
          spec={spec}
          onSaved={(saved, savedSpec) => {
            dispatch({ kind: "saved", spec: savedSpec });
            setBase(saved.number);
            onVersion(saved);
          }}
          onLoaded={(latest) => {
            dispatch({ kind: "load", spec: latest.spec });
            setBase(latest.number);
            select([]);
            onVersion(latest);
          }}
        />
        <span className="editor-status" role="status">
          {dirty ? "Unsaved changes" : `Saved as version ${base}`}
        </span>
      </div>
      <div className="editor-body">
        <Palette types={nodeTypes} onAdd={addFromPalette} />
        <div className="canvas" aria-label="Workflow graph" ref={canvasRef}>
          <PortRules.Provider value={wiringOk}>
            <EditorFlow
              nodes={drawn.nodes}
              edges={drawn.edges}
              isValidConnection={isValidConnection}
              onConnect={onConnect}
              onSelect={(nodes, edges) => {
                if (nodes) setSelected(nodes);
                if (edges) setSelectedEdges(edges);
              }}
              onMoved={(positions) => edit(moveNodes(spec, positions))}
              onDropType={addAt}
            />
          </PortRules.Provider>
        </div>
        <aside className="editor-side" aria-label="Selected node and problems">
          {selectedNode ? (
            <>
              <ParamsPanel
                node={selectedNode}
                nodeType={catalog.get(selectedNode.type)}
                errors={selectedErrors}
                onChange={(params) => edit(setParams(spec, selectedNode.id, params), `params:${selectedNode.id}`)}
              />
              {catalog.has(selectedNode.type) && (
                <PortsPanel
                  spec={spec}
                  catalog={catalog}
                  nodeId={selectedNode.id}
                  nodeType={catalog.get(selectedNode.type)!}
                  onConnect={(edge) => edit(addEdge(spec, edge))}
                  onDisconnect={(edge) => edit(removeEdges(spec, [edgeKey(edge)]))}
                />
              )}
            </>
          ) : (
            <p className="muted">Select a node to edit its parameters.</p>
          )}
          <ProblemsList
            problems={problems}
            nodeOf={nodeOf}
            onSelect={(node) => {
              select([node]);
              // Bring the node into view: on a large design it may be off screen.
              void flow.fitView({ nodes: [{ id: node }], duration: 300, maxZoom: 1.2 });
            }}
            failure={failure}
          />
        </aside>
      </div>
    </div>
  );
}

/** The canvas for editors: palette, wiring, params, problems, history, saving. */
export function Editor(props: EditorProps) {
  return (
    <ReactFlowProvider>
      <EditorInner {...props} />
    </ReactFlowProvider>
  );
}
