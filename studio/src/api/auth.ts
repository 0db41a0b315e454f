/**
 * Signing in: POST /auth/login on the builder (user name and password), or an OIDC provider's
 * ID token read by GET /auth/me; either way the session is kept in sessionStorage.
 */

import { builderBase } from "./basePath";
import { ApiError, requestJson, type Fetch } from "./http";
import { isRole, type Role } from "./roles";

export const LOGIN_PATH = `${builderBase()}auth/login`;
export const ME_PATH = `${builderBase()}auth/me`;
const STORAGE_KEY = "airloom.studio.session";
/** Where the OIDC client keeps its sign-in state and user: cleared with the session. */
export const OIDC_STORAGE_PREFIX = "airloom.studio.oidc.";

export interface Session {
  token: string;
  username: string;
  tenant: string;
  role: Role;
  /** Epoch milliseconds after which the token is refused. */
  expiresAt: number;
}

interface LoginResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  username: string;
  tenant: string;
  role: string;
}

export async function signIn(
  username: string,
  password: string,
  fetchImpl: Fetch = fetch,
  now: () => number = Date.now,
): Promise<Session> {
  const body = await requestJson<LoginResponse>(fetchImpl, LOGIN_PATH, {
    method: "POST",
    body: JSON.stringify({ username, password }),
  });
  if (!isRole(body.role)) {
    throw new ApiError(`the builder answered an unknown role ${JSON.stringify(body.role)}`, 502);
  }
  return {
    token: body.access_token,
    username: body.username,
    tenant: body.tenant,
    role: body.role,
    expiresAt: now() + body.expires_in * 1000,
  };
}

interface MeResponse {
  username: string;
  tenant: string;
  role: string;
  /** Epoch seconds; null for an API token, which does not expire. */
  expires_at: number | null;
}

/**
 * The session a sign-in token gives, as the builder reads it (GET /auth/me): the services
 * decide who a token speaks for, so Studio never reads a provider's claims itself.
 */
export async function whoIs(token: string, fetchImpl: Fetch = fetch): Promise<Session> {
  const body = await requestJson<MeResponse>(fetchImpl, ME_PATH, {
    headers: { Authorization: bearer({ token }) },
  });
  if (!isRole(body.role)) {
    throw new ApiError(`the builder answered an unknown role ${JSON.stringify(body.role)}`, 502);
  }
  if (typeof body.expires_at !== "number") {
    throw new ApiError("the builder did not say when the token expires", 502);
  }
  return {
    token,
    username: body.username,
    tenant: body.tenant,
    role: body.role,
    expiresAt: body.expires_at * 1000,
  };
}

/** The session of this browser tab (sessionStorage: closing the tab signs out). */
export const sessionStore = {
  load(storage: Storage = sessionStorage, now: () => number = Date.now): Session | null {
    const raw = storage.getItem(STORAGE_KEY);
    if (raw === null) return null;
    try {
      const session = JSON.parse(raw) as Session;
      if (typeof session.token === "string" && isRole(session.role) && session.expiresAt > now()) {
        return session;
      }
    } catch {
      // Unreadable: treated as signed out below.
    }
    storage.removeItem(STORAGE_KEY);
    return null;
  },
  save(session: Session, storage: Storage = sessionStorage): void {
    storage.setItem(STORAGE_KEY, JSON.stringify(session));
  },
  /** Signs out: the session and whatever the OIDC client kept (its user, pending sign-ins). */
  clear(storage: Storage = sessionStorage): void {
    storage.removeItem(STORAGE_KEY);
    const oidcKeys = Array.from({ length: storage.length }, (_, index) => storage.key(index)).filter(
      (key): key is string => key?.startsWith(OIDC_STORAGE_PREFIX) ?? false,
    );
    for (const key of oidcKeys) storage.removeItem(key);
  },
};

export function bearer(session: Pick<Session, "token">): string {
  return `Bearer ${session.token}`;
}
