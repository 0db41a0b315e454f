/** Errors from Airloom's APIs, with the message the service gave. */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;

  constructor(message: string, status: number, code?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }

  /** The token is missing, expired or revoked: the person must sign in again. */
  get unauthenticated(): boolean {
    return this.status === 401 || this.code === "UNAUTHENTICATED";
  }
}

export type Fetch = typeof fetch;

interface FastApiDetail {
  detail?: string | { msg?: string; loc?: (string | number)[] }[];
}

/** The message of a FastAPI error body ({"detail": "..."} or a validation list). */
export async function errorMessage(response: Response): Promise<string> {
  let body: FastApiDetail | undefined;
  try {
    body = (await response.json()) as FastApiDetail;
  } catch {
    body = undefined;
  }
  const detail = body?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    return detail
      .map((item) => [item.loc?.slice(1).join("."), item.msg].filter(Boolean).join(": "))
      .join("; ");
  }
  return `${response.status} ${response.statusText || "error"} from ${new URL(response.url || "http://x/").pathname}`;
}

/** A JSON GET or POST that throws ApiError with the service's message on any non-2xx. */
export async function requestJson<T>(
  fetchImpl: Fetch,
  url: string,
  init: RequestInit = {},
): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("Accept", "application/json");
  if (init.body !== undefined) headers.set("Content-Type", "application/json");
  const response = await fetchImpl(url, { ...init, headers });
  if (!response.ok) {
    throw new ApiError(await errorMessage(response), response.status);
  }
  return (await response.json()) as T;
}
