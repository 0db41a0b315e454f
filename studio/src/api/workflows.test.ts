import { describe, expect, it } from "vitest";

import { answering, CONFIG, json, WORKFLOWS_PAGE } from "../test/answers";
import { createGraphqlClient } from "./graphql";
import { ApiError } from "./http";
import { MarketplaceApi } from "./marketplace";
import { createWorkflow, lastRun, listWorkflows, loadLatest } from "./workflows";

function client(fetch: typeof globalThis.fetch) {
  return createGraphqlClient(CONFIG, { token: "tok" }, { fetch, subscriptions: false });
}

describe("listWorkflows", () => {
  it("asks the builder's GraphQL with the bearer token and returns the page", async () => {
    const { fetch, requests } = answering({ "graphql StudioWorkflows": () => json(WORKFLOWS_PAGE) });
    const page = await listWorkflows(client(fetch), { search: "  churn " });
    expect(requests[0].url.toString()).toBe("http://localhost:3000/graphql");
    expect(requests[0].headers.get("authorization")).toBe("Bearer tok");
    const body = requests[0].body as { query: string; variables: Record<string, unknown> };
    expect(body.variables).toEqual({ first: 50, after: null, search: "churn" });
    expect(body.query).toContain("publishedVersion");
    expect(page.nodes.map((workflow) => workflow.name)).toEqual(["churn_weekly", "draft_only"]);
    expect(lastRun(page.nodes[0])?.id).toBe("run-2");
    expect(lastRun(page.nodes[1])).toBeNull();
  });

  it("throws the builder's error with its code", async () => {
    const { fetch } = answering({
      "graphql StudioWorkflows": () =>
        json({
          data: null,
          errors: [{ message: "the token has expired", extensions: { code: "UNAUTHENTICATED" } }],
        }),
    });
    const failure = (await listWorkflows(client(fetch)).catch((error: unknown) => error)) as ApiError;
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure.message).toBe("the token has expired");
    expect(failure.unauthenticated).toBe(true);
  });
});

describe("loadLatest", () => {
  it("loads the workflow's current version", async () => {
    const spec = { nodes: [{ id: "a", type: "kafka_ingest" }], edges: [] };
    const { fetch, requests } = answering({
      "graphql StudioWorkflow": () =>
        json({
          data: {
            workflow: { id: "wf-1", name: "w", title: "W", currentVersion: 4, publishedVersion: null, publishTarget: "DAG_FILE" },
          },
        }),
      "graphql StudioWorkflowVersion": () =>
        json({
          data: {
            workflow: {
              version: { number: 4, spec, message: "m", createdBy: "ann", createdAt: "2026-03-01T00:00:00Z" },
            },
          },
        }),
    });
    const { workflow, version } = await loadLatest(client(fetch), "wf-1");
    expect(workflow.currentVersion).toBe(4);
    expect(version.spec).toEqual(spec);
    expect((requests[1].body as { variables: unknown }).variables).toEqual({ id: "wf-1", number: 4 });
  });
});

describe("createWorkflow", () => {
  it("sends the name and a title, or null for none", async () => {
    const created = { id: "wf-9", name: "n", title: "", currentVersion: 1, publishedVersion: null, publishTarget: "DAG_FILE" };
    const { fetch, requests } = answering({
      "graphql StudioCreateWorkflow": () => json({ data: { createWorkflow: created } }),
    });
    await expect(createWorkflow(client(fetch), "n", "  ")).resolves.toEqual(created);
    expect((requests[0].body as { variables: unknown }).variables).toEqual({
      name: "n",
      title: null,
      templateId: null,
    });
  });

  it("names the template a workflow starts from", async () => {
    const created = { id: "wf-9", name: "n", title: "", currentVersion: 1, publishedVersion: null, publishTarget: "DAG_FILE" };
    const { fetch, requests } = answering({
      "graphql StudioCreateWorkflow": () => json({ data: { createWorkflow: created } }),
    });
    await createWorkflow(client(fetch), "n", "Churn", "customer-churn");
    expect((requests[0].body as { variables: unknown }).variables).toEqual({
      name: "n",
      title: "Churn",
      templateId: "customer-churn",
    });
  });
});

describe("MarketplaceApi", () => {
  it("calls the marketplace's origin with the bearer token", async () => {
    const { fetch, requests } = answering({
      "GET /api/v1/endpoints": () => json({ endpoints: [] }),
      "GET /api/v1/models": () => json({ total: 0, page: 1, page_size: 20, items: [], facets: {} }),
    });
    const api = new MarketplaceApi(CONFIG.marketplaceUrl, { token: "tok" }, fetch);
    await expect(api.endpoints()).resolves.toEqual([]);
    await api.searchModels("churn");
    expect(requests[0].url.toString()).toBe("http://127.0.0.1:8002/api/v1/endpoints");
    expect(requests[0].headers.get("authorization")).toBe("Bearer tok");
    expect(requests[1].url.searchParams.get("q")).toBe("churn");
  });

  it("throws the marketplace's message", async () => {
    const { fetch } = answering({
      "GET /api/v1/endpoints": () => json({ detail: "invalid or revoked credentials" }, 401),
    });
    const api = new MarketplaceApi(CONFIG.marketplaceUrl, { token: "tok" }, fetch);
    await expect(api.endpoints()).rejects.toThrow("invalid or revoked credentials");
  });
});
