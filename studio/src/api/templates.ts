/** The builder's templates: ready-made designs a workflow can start from. */

import { gql, type Client, type TypedDocumentNode } from "@urql/core";

import { query } from "./graphql";
import type { WorkflowSpec } from "./workflows";

export interface Template {
  id: string;
  title: string;
  industry: string;
  description: string;
  spec: WorkflowSpec;
}

const TEMPLATES: TypedDocumentNode<{ templates: Template[] }, Record<string, never>> = gql`
  query StudioTemplates {
    templates {
      id
      title
      industry
      description
      spec
    }
  }
`;

export async function listTemplates(client: Client): Promise<Template[]> {
  return (await query(client, TEMPLATES, {})).templates;
}

/** Templates by industry, industries and titles in alphabetical order. */
export function byIndustry(templates: Template[]): [string, Template[]][] {
  const groups = new Map<string, Template[]>();
  for (const template of templates) {
    const industry = template.industry || "Other";
    groups.set(industry, [...(groups.get(industry) ?? []), template]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([industry, list]) => [industry, [...list].sort((a, b) => a.title.localeCompare(b.title))]);
}

/** A workflow name from a template id, valid as the builder's names are: customer_churn. */
export function suggestedName(templateId: string): string {
  return templateId.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
}
