/** The tenant's workflows through the builder's GraphQL (field names as in its schema). */

import { gql, type Client, type TypedDocumentNode } from "@urql/core";

import { mutate, query } from "./graphql";

export interface RunSummary {
  id: string;
  recordedState: string;
  createdAt: string;
}

/** Where a workflow runs: an Airflow DAG file, or a workflow of Amazon MWAA Serverless. */
export type PublishTarget = "DAG_FILE" | "MWAA_SERVERLESS";

const TARGET_LABELS: Record<PublishTarget, string> = {
  DAG_FILE: "Airflow",
  MWAA_SERVERLESS: "Amazon MWAA Serverless",
};

/** What a person reads for a target: where the workflow's runs happen. */
export function targetLabel(target: PublishTarget): string {
  return TARGET_LABELS[target] ?? target;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  title: string;
  currentVersion: number;
  publishedVersion: number | null;
  publishTarget: PublishTarget;
  updatedAt: string;
  owner: string;
  runs: RunSummary[];
}

export interface WorkflowPage {
  nodes: WorkflowSummary[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

export interface SpecNode {
  id: string;
  type: string;
  params?: Record<string, unknown>;
  ui?: { x?: number; y?: number };
}

export interface SpecEdge {
  source: string;
  target: string;
}

export interface WorkflowSpec {
  metadata?: { name?: string; title?: string; description?: string };
  nodes?: SpecNode[];
  edges?: SpecEdge[];
  [key: string]: unknown;
}

export interface WorkflowVersion {
  number: number;
  spec: WorkflowSpec;
  message: string;
  createdBy: string;
  createdAt: string;
}

export interface WorkflowHeader {
  id: string;
  name: string;
  title: string;
  currentVersion: number;
  publishedVersion: number | null;
  /** Where it is published; unpublished, where this deployment would publish it. */
  publishTarget: PublishTarget;
}

const WORKFLOWS: TypedDocumentNode<
  { workflows: WorkflowPage },
  { first: number; after?: string | null; search?: string | null }
> = gql`
  query StudioWorkflows($first: Int!, $after: String, $search: String) {
    workflows(first: $first, after: $after, filter: { search: $search }) {
      nodes {
        id
        name
        title
        currentVersion
        publishedVersion
        publishTarget
        updatedAt
        owner
        runs {
          id
          recordedState
          createdAt
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`;

const WORKFLOW: TypedDocumentNode<{ workflow: WorkflowHeader }, { id: string }> = gql`
  query StudioWorkflow($id: ID!) {
    workflow(id: $id) {
      id
      name
      title
      currentVersion
      publishedVersion
      publishTarget
    }
  }
`;

const VERSION: TypedDocumentNode<
  { workflow: { version: WorkflowVersion } },
  { id: string; number: number }
> = gql`
  query StudioWorkflowVersion($id: ID!, $number: Int!) {
    workflow(id: $id) {
      version(number: $number) {
        number
        spec
        message
        createdBy
        createdAt
      }
    }
  }
`;

const CREATE: TypedDocumentNode<
  { createWorkflow: WorkflowHeader },
  { name: string; title: string | null; templateId: string | null }
> = gql`
  mutation StudioCreateWorkflow($name: String!, $title: String, $templateId: String) {
    createWorkflow(input: { name: $name, title: $title, templateId: $templateId }) {
      id
      name
      title
      currentVersion
      publishedVersion
      publishTarget
    }
  }
`;

export const PAGE_SIZE = 50;

export async function listWorkflows(
  client: Client,
  options: { after?: string | null; search?: string } = {},
): Promise<WorkflowPage> {
  const data = await query(client, WORKFLOWS, {
    first: PAGE_SIZE,
    after: options.after ?? null,
    search: options.search?.trim() || null,
  });
  return data.workflows;
}

/** The newest run (the builder lists them newest first), if any. */
export function lastRun(workflow: WorkflowSummary): RunSummary | null {
  return workflow.runs[0] ?? null;
}

/** A workflow and its latest (current) version. */
export async function loadLatest(
  client: Client,
  id: string,
): Promise<{ workflow: WorkflowHeader; version: WorkflowVersion }> {
  const { workflow } = await query(client, WORKFLOW, { id });
  const data = await query(client, VERSION, { id, number: workflow.currentVersion });
  return { workflow, version: data.workflow.version };
}

/** A blank workflow, or with ``templateId`` a copy of that template's design. */
export async function createWorkflow(
  client: Client,
  name: string,
  title: string,
  templateId: string | null = null,
): Promise<WorkflowHeader> {
  const data = await mutate(client, CREATE, { name, title: title.trim() || null, templateId });
  return data.createWorkflow;
}
