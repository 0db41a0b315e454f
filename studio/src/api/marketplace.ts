/** The marketplace's REST API (another origin: config.marketplaceUrl), with the sign-in token. */

import { bearer, type Session } from "./auth";
import { requestJson, type Fetch } from "./http";
import type {
  CheckRun,
  CheckStatus,
  Comparison,
  DeployRequest,
  Deployment,
  EndpointHistory,
  EndpointSummary,
  ListingDetail,
  SearchPage,
  VersionDetail,
} from "./marketplaceTypes";

export type * from "./marketplaceTypes";

export type CheckKind = "validation" | "benchmark";

const part = encodeURIComponent;

export class MarketplaceApi {
  constructor(
    private readonly baseUrl: string,
    private readonly session: Pick<Session, "token">,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  private call<T>(path: string, init: { query?: URLSearchParams; body?: unknown; method?: string } = {}) {
    const url = new URL(`/api/v1${path}`, this.baseUrl);
    if (init.query) url.search = init.query.toString();
    return requestJson<T>(this.fetchImpl, url.toString(), {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { Authorization: bearer(this.session) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  /** Words, or the whole query the marketplace page keeps in its URL (facets, metric, sort…). */
  searchModels(search: string | URLSearchParams = ""): Promise<SearchPage> {
    const query = typeof search === "string" ? new URLSearchParams() : search;
    if (typeof search === "string" && search.trim()) query.set("q", search.trim());
    return this.call<SearchPage>("/models", { query });
  }

  model(name: string): Promise<ListingDetail> {
    return this.call(`/models/${part(name)}`);
  }

  version(name: string, version: number): Promise<VersionDetail> {
    return this.call(`/models/${part(name)}/versions/${version}`);
  }

  compare(versions: { name: string; version: number }[]): Promise<Comparison> {
    return this.call("/compare", { body: { versions } });
  }

  /** Starts a validation or benchmark run (202); follow it with checkStatus. */
  startCheck(kind: CheckKind, name: string, version: number): Promise<CheckRun> {
    const verb = kind === "validation" ? "validate" : "benchmark";
    return this.call(`/models/${part(name)}/versions/${version}/${verb}`, { body: {} });
  }

  checkStatus(kind: CheckKind, name: string, version: number): Promise<CheckStatus> {
    return this.call(`/models/${part(name)}/versions/${version}/${kind}`);
  }

  deploy(name: string, version: number, request: DeployRequest): Promise<Deployment> {
    return this.call(`/models/${part(name)}/versions/${version}/deploy`, { body: request });
  }

  deployment(runId: string): Promise<Deployment> {
    return this.call(`/deployments/${part(runId)}`);
  }

  async endpoints(): Promise<EndpointSummary[]> {
    return (await this.call<{ endpoints: EndpointSummary[] }>("/endpoints")).endpoints;
  }

  endpoint(name: string): Promise<EndpointSummary> {
    return this.call(`/endpoints/${part(name)}`);
  }

  history(endpoint: string): Promise<EndpointHistory> {
    return this.call(`/endpoints/${part(endpoint)}/history`);
  }

  rollback(endpoint: string, reason: string): Promise<Deployment> {
    return this.call(`/endpoints/${part(endpoint)}/rollback`, { body: { reason } });
  }

  /** MLflow's scoring protocol: {"dataframe_split": {...}} in, {"predictions": [...]} out. */
  predict(endpoint: string, payload: unknown): Promise<{ predictions: unknown }> {
    return this.call(`/endpoints/${part(endpoint)}/invocations`, { body: payload });
  }
}
