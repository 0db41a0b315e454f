/** Publishing and running a workflow, and a run's nodes, through the builder's GraphQL. */

import { gql, type Client, type TypedDocumentNode } from "@urql/core";

import { mutate, query } from "./graphql";
import type { WorkflowHeader, WorkflowSpec } from "./workflows";

export interface Problem {
  code: string;
  message: string;
  nodeId: string | null;
  field: string | null;
}

export interface PublishResult {
  published: boolean;
  problems: Problem[];
  version: number;
  dagId: string;
}

export interface RunSummary {
  id: string;
  workflowId: string;
  version: number;
  triggeredBy: string;
  runType: string;
  createdAt: string;
  recordedState: string;
  /** The state in Airflow now (recordedState is what the builder last saw). */
  state: string;
  start: string | null;
  end: string | null;
}

export interface NodeRunState {
  nodeId: string;
  type: string | null;
  state: string | null;
  tryNumber: number;
  start: string | null;
  end: string | null;
  logUrl: string | null;
  error: string | null;
}

export interface Run extends RunSummary {
  workflow: { id: string; name: string; title: string };
  nodes: NodeRunState[];
}

export interface PreviewColumn {
  name: string;
  type: string;
}

export interface DataPreview {
  dataset: string;
  port: string;
  columns: PreviewColumn[];
  rows: unknown[];
  rowCount: number;
  moreColumns: number;
}

export interface NodeDetail extends NodeRunState {
  logTail: string | null;
  preview: DataPreview | null;
}

export interface RunUpdate {
  runId: string;
  runState: string;
  node: NodeRunState | null;
}

const PUBLISH: TypedDocumentNode<{ publishWorkflow: PublishResult }, { id: string; version: number }> = gql`
  mutation StudioPublishWorkflow($id: ID!, $version: Int!) {
    publishWorkflow(id: $id, version: $version) {
      published
      problems {
        code
        message
        nodeId
        field
      }
      version
      dagId
    }
  }
`;

const TRIGGER: TypedDocumentNode<{ triggerRun: { id: string } }, { id: string }> = gql`
  mutation StudioTriggerRun($id: ID!) {
    triggerRun(id: $id) {
      id
    }
  }
`;

const RETRY: TypedDocumentNode<{ retryRun: { id: string } }, { id: string; fromNode: string | null }> = gql`
  mutation StudioRetryRun($id: ID!, $fromNode: String) {
    retryRun(id: $id, fromNode: $fromNode) {
      id
    }
  }
`;

const CANCEL: TypedDocumentNode<{ cancelRun: { id: string; state: string } }, { id: string }> = gql`
  mutation StudioCancelRun($id: ID!) {
    cancelRun(id: $id) {
      id
      state
    }
  }
`;

/** What every view of a run shows about it. */
const RUN_FIELDS = gql`
  fragment StudioRunFields on Run {
    id
    workflowId
    version
    triggeredBy
    runType
    createdAt
    recordedState
    state
    start
    end
  }
`;

/** What every view of a node in a run shows: its state, timing, log and error. */
const NODE_RUN_FIELDS = gql`
  fragment StudioNodeRunFields on NodeRun {
    nodeId
    type
    state
    tryNumber
    start
    end
    logUrl
    error
  }
`;

const RUNS: TypedDocumentNode<
  { workflow: WorkflowHeader; runs: RunSummary[] },
  { workflowId: string }
> = gql`
  query StudioRuns($workflowId: ID!) {
    workflow(id: $workflowId) {
      id
      name
      title
      currentVersion
      publishedVersion
      publishTarget
    }
    runs(workflowId: $workflowId, first: 50) {
      ...StudioRunFields
    }
  }
  ${RUN_FIELDS}
`;

const RUN: TypedDocumentNode<{ run: Run }, { id: string }> = gql`
  query StudioRun($id: ID!) {
    run(id: $id) {
      ...StudioRunFields
      workflow {
        id
        name
        title
      }
      nodes {
        ...StudioNodeRunFields
      }
    }
  }
  ${RUN_FIELDS}
  ${NODE_RUN_FIELDS}
`;

const NODE_DETAIL: TypedDocumentNode<{ run: { nodes: NodeDetail[] } }, { id: string }> = gql`
  query StudioNodeDetail($id: ID!) {
    run(id: $id) {
      nodes {
        ...StudioNodeRunFields
        logTail(lines: 50)
        preview(rows: 20) {
          dataset
          port
          columns {
            name
            type
          }
          rows
          rowCount
          moreColumns
        }
      }
    }
  }
  ${NODE_RUN_FIELDS}
`;

const RUN_SPEC: TypedDocumentNode<
  { workflow: { version: { spec: WorkflowSpec } } },
  { id: string; number: number }
> = gql`
  query StudioRunSpec($id: ID!, $number: Int!) {
    workflow(id: $id) {
      version(number: $number) {
        spec
      }
    }
  }
`;

export const RUN_UPDATES: TypedDocumentNode<{ runUpdates: RunUpdate }, { runId: string }> = gql`
  subscription StudioRunUpdates($runId: ID!) {
    runUpdates(runId: $runId) {
      runId
      runState
      node {
        ...StudioNodeRunFields
      }
    }
  }
  ${NODE_RUN_FIELDS}
`;

export async function publishWorkflow(client: Client, id: string, version: number): Promise<PublishResult> {
  return (await mutate(client, PUBLISH, { id, version })).publishWorkflow;
}

/** Starts a run of the published version; answers the new run's id. */
export async function triggerRun(client: Client, id: string): Promise<string> {
  return (await mutate(client, TRIGGER, { id })).triggerRun.id;
}

/** Runs a finished run again from `fromNode` on; answers the new run's id. */
export async function retryRun(client: Client, runId: string, fromNode: string | null): Promise<string> {
  return (await mutate(client, RETRY, { id: runId, fromNode })).retryRun.id;
}

/** Stops a run: Airflow marks it failed and starts no more of its tasks. */
export async function cancelRun(client: Client, runId: string): Promise<string> {
  return (await mutate(client, CANCEL, { id: runId })).cancelRun.state;
}

/** The workflow and its runs, newest first as the builder lists them. */
export async function listRuns(
  client: Client,
  workflowId: string,
): Promise<{ workflow: WorkflowHeader; runs: RunSummary[] }> {
  return await query(client, RUNS, { workflowId });
}

export async function loadRun(client: Client, id: string): Promise<Run> {
  return (await query(client, RUN, { id })).run;
}

/** The design a run ran: its version's spec, not the workflow's latest. */
export async function loadRunSpec(client: Client, workflowId: string, version: number): Promise<WorkflowSpec> {
  return (await query(client, RUN_SPEC, { id: workflowId, number: version })).workflow.version.spec;
}

/**
 * One node of a run with its log tail and output preview, asked for only when a person opens the
 * node: the builder reads logs and data for them (the schema has no single-node field).
 */
export async function loadNodeDetail(client: Client, runId: string, nodeId: string): Promise<NodeDetail | null> {
  const { run } = await query(client, NODE_DETAIL, { id: runId });
  return run.nodes.find((node) => node.nodeId === nodeId) ?? null;
}
