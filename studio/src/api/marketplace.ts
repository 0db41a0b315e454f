/** The marketplace's REST API (another origin: config.marketplaceUrl), with the sign-in token. */

import { bearer, type Session } from "./auth";
import { requestJson, type Fetch } from "./http";

export interface ListingSummary {
  name: string;
  description: string;
  task: string | null;
  industry: string | null;
  framework: string | null;
  owner: string | null;
  latest_version: number | null;
  headline_version: number | null;
}

export interface SearchPage {
  total: number;
  page: number;
  page_size: number;
  items: ListingSummary[];
}

export interface EndpointSummary {
  name: string;
  target: string;
  model: string;
  version: number | null;
  status: string;
  reason: string | null;
  updated_at: string | null;
}

export class MarketplaceApi {
  constructor(
    private readonly baseUrl: string,
    private readonly session: Pick<Session, "token">,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  private get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const url = new URL(`/api/v1${path}`, this.baseUrl);
    for (const [key, value] of Object.entries(params)) if (value) url.searchParams.set(key, value);
    return requestJson<T>(this.fetchImpl, url.toString(), {
      headers: { Authorization: bearer(this.session) },
    });
  }

  searchModels(q = ""): Promise<SearchPage> {
    return this.get<SearchPage>("/models", { q: q.trim() });
  }

  async endpoints(): Promise<EndpointSummary[]> {
    return (await this.get<{ endpoints: EndpointSummary[] }>("/endpoints")).endpoints;
  }
}
