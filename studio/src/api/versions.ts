/** A workflow's versions, the diff between two and restoring one, through the builder's GraphQL. */

import { gql, type Client, type TypedDocumentNode } from "@urql/core";

import { mutate, query } from "./graphql";
import type { WorkflowHeader, WorkflowSpec } from "./workflows";

export interface VersionSummary {
  number: number;
  message: string;
  createdBy: string;
  createdAt: string;
}

export interface NodeChange {
  nodeId: string;
  fields: string[];
}

export interface EdgeRef {
  source: string;
  target: string;
}

export interface ParamChange {
  nodeId: string;
  path: string;
  change: string;
  before: unknown;
  after: unknown;
}

export interface ValueChange {
  path: string;
  change: string;
  before: unknown;
  after: unknown;
}

export interface WorkflowDiff {
  fromVersion: number;
  toVersion: number;
  nodesAdded: string[];
  nodesRemoved: string[];
  nodesChanged: NodeChange[];
  edgesAdded: EdgeRef[];
  edgesRemoved: EdgeRef[];
  paramsChanged: ParamChange[];
  settingsChanged: ValueChange[];
}

const VERSIONS: TypedDocumentNode<
  { workflow: WorkflowHeader & { versions: VersionSummary[] } },
  { id: string }
> = gql`
  query StudioVersions($id: ID!) {
    workflow(id: $id) {
      id
      name
      title
      currentVersion
      publishedVersion
      publishTarget
      versions {
        number
        message
        createdBy
        createdAt
      }
    }
  }
`;

const COMPARE: TypedDocumentNode<
  {
    workflow: {
      from: { spec: WorkflowSpec };
      to: { spec: WorkflowSpec };
      diff: WorkflowDiff;
    };
  },
  { id: string; from: number; to: number }
> = gql`
  query StudioCompareVersions($id: ID!, $from: Int!, $to: Int!) {
    workflow(id: $id) {
      from: version(number: $from) {
        spec
      }
      to: version(number: $to) {
        spec
      }
      diff(fromVersion: $from, toVersion: $to) {
        fromVersion
        toVersion
        nodesAdded
        nodesRemoved
        nodesChanged {
          nodeId
          fields
        }
        edgesAdded {
          source
          target
        }
        edgesRemoved {
          source
          target
        }
        paramsChanged {
          nodeId
          path
          change
          before
          after
        }
        settingsChanged {
          path
          change
          before
          after
        }
      }
    }
  }
`;

const RESTORE: TypedDocumentNode<
  { restoreVersion: { number: number } },
  { id: string; version: number }
> = gql`
  mutation StudioRestoreVersion($id: ID!, $version: Int!) {
    restoreVersion(id: $id, version: $version) {
      number
    }
  }
`;

/** The workflow and its versions, newest first (whatever order the builder answers in). */
export async function listVersions(
  client: Client,
  id: string,
): Promise<{ workflow: WorkflowHeader; versions: VersionSummary[] }> {
  const { workflow } = await query(client, VERSIONS, { id });
  const { versions, ...header } = workflow;
  return { workflow: header, versions: [...versions].sort((a, b) => b.number - a.number) };
}

/** Both versions' specs and what changed from one to the other. */
export async function compareVersions(client: Client, id: string, from: number, to: number) {
  const { workflow } = await query(client, COMPARE, { id, from, to });
  return { fromSpec: workflow.from.spec, toSpec: workflow.to.spec, diff: workflow.diff };
}

/** Restoring saves the old spec as a new version; answers its number. */
export async function restoreVersion(client: Client, id: string, version: number): Promise<number> {
  return (await mutate(client, RESTORE, { id, version })).restoreVersion.number;
}
