/**
 * A fetch for unit tests that answers as the builder and marketplace do (their documented
 * response shapes) and records each request, so a test asserts what Studio sent and shows.
 */

import type { StudioConfig } from "../api/config";
import type { Fetch } from "../api/http";

export const CONFIG: StudioConfig = {
  graphqlUrl: "/graphql",
  graphqlWsUrl: "/graphql",
  marketplaceUrl: "http://127.0.0.1:8002",
  airflowUrl: "http://127.0.0.1:8080",
  insightsUrl: "http://127.0.0.1:8004",
  signIn: { password: true, oidc: null },
};

export interface Recorded {
  url: URL;
  method: string;
  headers: Headers;
  body: unknown;
}

export type Answer = (request: Recorded) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/** Answers by "METHOD /path" (GraphQL by operation name: "graphql StudioWorkflows"). */
export function answering(answers: Record<string, Answer>): { fetch: Fetch; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const fetchImpl: Fetch = async (input, init) => {
    const request = new Request(new URL(String(input instanceof Request ? input.url : input), "http://localhost:3000/"), init);
    const text = init?.body ? String(init.body) : "";
    const recorded: Recorded = {
      url: new URL(request.url),
      method: request.method,
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(recorded);
    const operation = (recorded.body as { operationName?: string } | undefined)?.operationName;
    const key =
      recorded.url.pathname === "/graphql" && operation
        ? `graphql ${operation}`
        : `${recorded.method} ${recorded.url.pathname}`;
    const answer = answers[key];
    if (!answer) return json({ detail: `no answer for ${key}` }, 404);
    return answer(recorded);
  };
  return { fetch: fetchImpl, requests };
}

export const LOGIN_OK = {
  access_token: "header.payload.signature",
  token_type: "bearer",
  expires_in: 3600,
  username: "ann",
  tenant: "acme",
  role: "editor",
};

export const WORKFLOWS_PAGE = {
  data: {
    workflows: {
      nodes: [
        {
          id: "wf-1",
          name: "churn_weekly",
          title: "Weekly churn",
          currentVersion: 3,
          publishedVersion: 2,
          updatedAt: "2026-03-01T10:00:00+00:00",
          owner: "ana",
          runs: [
            { id: "run-2", recordedState: "success", createdAt: "2026-03-02T06:00:00+00:00" },
            { id: "run-1", recordedState: "failed", createdAt: "2026-03-01T06:00:00+00:00" },
          ],
        },
        {
          id: "wf-2",
          name: "draft_only",
          title: "",
          currentVersion: 1,
          publishedVersion: null,
          updatedAt: "2026-03-03T10:00:00+00:00",
          owner: "ben",
          runs: [],
        },
      ],
      pageInfo: { endCursor: null, hasNextPage: false },
    },
  },
};
