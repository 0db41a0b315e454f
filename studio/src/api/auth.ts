/** Signing in: POST /auth/login on the builder, the session kept in sessionStorage. */

import { builderBase } from "./basePath";
import { ApiError, requestJson, type Fetch } from "./http";
import { isRole, type Role } from "./roles";

export const LOGIN_PATH = `${builderBase()}auth/login`;
const STORAGE_KEY = "airloom.studio.session";

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
  clear(storage: Storage = sessionStorage): void {
    storage.removeItem(STORAGE_KEY);
  },
};

export function bearer(session: Pick<Session, "token">): string {
  return `Bearer ${session.token}`;
}
