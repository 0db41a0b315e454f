/** What the canvas editor asks the builder: node types, a design's problems, saving a version. */

import { gql, type Client, type TypedDocumentNode } from "@urql/core";

import { mutate, query } from "./graphql";
import { ApiError } from "./http";
import type { WorkflowSpec, WorkflowVersion } from "./workflows";

export interface Port {
  name: string;
  /** table, model, report, stream…: the builder joins an output only to an input of its type. */
  type: string;
  description: string;
  required: boolean;
  /** Whether the input takes more than one edge. */
  many: boolean;
}

export interface NodeType {
  type: string;
  category: string;
  description: string;
  paramsSchema: Record<string, unknown>;
  inputs: Port[];
  outputs: Port[];
}

export interface Problem {
  code: string;
  message: string;
  nodeId: string | null;
  /** Where in the spec, dotted: "nodes.2.params.table", "edges.0.target", "metadata". */
  field: string | null;
}

const NODE_TYPES: TypedDocumentNode<{ nodeTypes: NodeType[] }, Record<string, never>> = gql`
  query StudioNodeTypes {
    nodeTypes {
      type
      category
      description
      paramsSchema
      inputs {
        name
        type
        description
        required
        many
      }
      outputs {
        name
        type
        description
        required
        many
      }
    }
  }
`;

const VALIDATE: TypedDocumentNode<{ validateWorkflow: Problem[] }, { spec: WorkflowSpec }> = gql`
  mutation StudioValidateWorkflow($spec: JSON!) {
    validateWorkflow(spec: $spec) {
      code
      message
      nodeId
      field
    }
  }
`;

const UPDATE: TypedDocumentNode<
  { updateWorkflow: WorkflowVersion },
  { id: string; expectedVersion: number; spec: WorkflowSpec; message: string }
> = gql`
  mutation StudioUpdateWorkflow($id: ID!, $expectedVersion: Int!, $spec: JSON!, $message: String!) {
    updateWorkflow(id: $id, expectedVersion: $expectedVersion, spec: $spec, message: $message) {
      number
      spec
      message
      createdBy
      createdAt
    }
  }
`;

export async function loadNodeTypes(client: Client): Promise<NodeType[]> {
  return (await query(client, NODE_TYPES, {})).nodeTypes;
}

export async function validateWorkflow(client: Client, spec: WorkflowSpec): Promise<Problem[]> {
  return (await mutate(client, VALIDATE, { spec })).validateWorkflow;
}

/** Saves a new version; the builder refuses with CONFLICT when `expectedVersion` is not its latest. */
export async function updateWorkflow(
  client: Client,
  id: string,
  expectedVersion: number,
  spec: WorkflowSpec,
  message: string,
): Promise<WorkflowVersion> {
  return (await mutate(client, UPDATE, { id, expectedVersion, spec, message })).updateWorkflow;
}

/** Someone saved a newer version since this one was loaded. */
export function isStaleSave(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === "CONFLICT";
}
