/** The insights service's REST API (another origin: config.insightsUrl), with the sign-in token. */

import { bearer, type Session } from "./auth";
import { ApiError, type Fetch } from "./http";
import type {
  Grain,
  Insight,
  Kpis,
  QuestionAnswer,
  Report,
  ReportFormat,
  Roi,
  RoiDimension,
  StructuredQuery,
  ValueDefinition,
  ValueDefinitionInput,
} from "./insightsTypes";

export type * from "./insightsTypes";

/** A period: ISO dates or times, `until` excluded; the service's default when left out. */
export interface Period {
  since?: string;
  until?: string;
}

interface ErrorBody {
  detail?: string | { field?: string; message?: string }[];
}

/** The service's message: {"detail": "..."} or, for a 422, each wrong field and what is wrong. */
async function insightsError(response: Response): Promise<ApiError> {
  let body: ErrorBody | undefined;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = undefined;
  }
  const detail = body?.detail;
  const message =
    typeof detail === "string"
      ? detail
      : Array.isArray(detail) && detail.length > 0
        ? detail.map((item) => [item.field, item.message].filter(Boolean).join(": ")).join("; ")
        : `${response.status} ${response.statusText || "error"} from the insights service`;
  return new ApiError(message, response.status);
}

export class InsightsApi {
  constructor(
    private readonly baseUrl: string,
    private readonly session: Pick<Session, "token">,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  private async send(path: string, init: { query?: Record<string, string | undefined>; body?: unknown; method?: string } = {}) {
    const url = new URL(`/api/v1${path}`, this.baseUrl);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined && value !== "") url.searchParams.set(key, value);
    }
    const headers = new Headers({ Authorization: bearer(this.session) });
    if (init.body !== undefined) headers.set("Content-Type", "application/json");
    const response = await this.fetchImpl(url.toString(), {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw await insightsError(response);
    return response;
  }

  private async call<T>(path: string, init: Parameters<InsightsApi["send"]>[1] = {}): Promise<T> {
    return (await (await this.send(path, init)).json()) as T;
  }

  kpis(period: Period = {}): Promise<Kpis> {
    return this.call("/kpis", { query: { ...period } });
  }

  roi(by: RoiDimension, grain: Grain, period: Period = {}): Promise<Roi> {
    return this.call("/roi", { query: { by, grain, ...period } });
  }

  /** A question in words, or a reading an earlier answer offered (asked exactly as it is). */
  ask(asked: { question: string } | { query: StructuredQuery }): Promise<QuestionAnswer> {
    return this.call("/questions", { body: asked });
  }

  /** The tenant's automated insights, highest score first; null when the service has none yet
   * (an insights service from before automated insights answers 404). */
  async insights(): Promise<Insight[] | null> {
    try {
      return (await this.call<{ insights: Insight[] }>("/insights")).insights;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  async reports(): Promise<Report[]> {
    return (await this.call<{ reports: Report[] }>("/reports")).reports;
  }

  /** A report's file: fetched with the token (a plain link would carry none). */
  async downloadReport(week: string, format: ReportFormat): Promise<Blob> {
    return (await this.send(`/reports/${encodeURIComponent(week)}.${format}`)).blob();
  }

  values(): Promise<ValueDefinition[]> {
    return this.call("/values");
  }

  createValue(input: ValueDefinitionInput): Promise<ValueDefinition> {
    return this.call("/values", { body: input });
  }

  updateValue(id: number, change: { amount_usd?: string; quantity?: string; note?: string }): Promise<ValueDefinition> {
    return this.call(`/values/${id}`, { body: change, method: "PATCH" });
  }

  async deleteValue(id: number): Promise<void> {
    await this.send(`/values/${id}`, { method: "DELETE" });
  }
}
