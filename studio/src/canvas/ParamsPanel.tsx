import type { ErrorSchema } from "@rjsf/utils";
import { Component, lazy, Suspense, type ReactNode } from "react";

import type { NodeType } from "../api/editor";
import type { SpecNode } from "../api/workflows";
import { Loading } from "../Status";

const ParamsForm = lazy(() => import("./ParamsForm"));

/** A schema rjsf cannot render should not take the whole canvas down with it. */
class FormBoundary extends Component<{ children: ReactNode }, { failed: string | null }> {
  state = { failed: null as string | null };
  static getDerivedStateFromError(error: unknown) {
    return { failed: error instanceof Error ? error.message : String(error) };
  }
  render() {
    return this.state.failed ? (
      <p className="error" role="alert">
        The parameters form could not be shown: {this.state.failed}
      </p>
    ) : (
      this.props.children
    );
  }
}

interface ParamsPanelProps {
  node: SpecNode;
  nodeType: NodeType | undefined;
  errors: ErrorSchema;
  onChange(params: Record<string, unknown>): void;
}

/** The selected node: what it is, and its params form. */
export function ParamsPanel({ node, nodeType, errors, onChange }: ParamsPanelProps) {
  return (
    <section className="params-panel" aria-labelledby="params-title">
      <h2 id="params-title">{node.id}</h2>
      <p className="muted">
        {node.type}
        {nodeType?.description ? ` — ${nodeType.description}` : ""}
      </p>
      {nodeType ? (
        <FormBoundary key={node.id}>
          <Suspense fallback={<Loading what="the parameters form" />}>
            <ParamsForm
              nodeId={node.id}
              schema={nodeType.paramsSchema}
              params={node.params ?? {}}
              errors={errors}
              onChange={onChange}
            />
          </Suspense>
        </FormBoundary>
      ) : (
        <p className="error" role="alert">
          {node.id}: the builder has no node type “{node.type}”, so its parameters cannot be edited here.
        </p>
      )}
    </section>
  );
}
