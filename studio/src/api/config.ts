/** Where Studio finds the other services: /studio/config.json, served by the builder. */

import { studioBase } from "./basePath";
import { requestJson, type Fetch } from "./http";

/** An OIDC provider people sign in with (Amazon Cognito on AWS): its issuer and Studio's client. */
export interface OidcOptions {
  authority: string;
  clientId: string;
  scope: string;
}

/** The ways a person may sign in here, as the builder says. */
export interface SignInOptions {
  /** A user name and a password, checked by the builder (POST /auth/login). */
  password: boolean;
  /** Single sign-on through an OIDC provider; null when the builder trusts none. */
  oidc: OidcOptions | null;
}

export interface StudioConfig {
  graphqlUrl: string;
  graphqlWsUrl: string;
  marketplaceUrl: string;
  airflowUrl: string;
  /** The insights service (the Dashboard's figures); null from a builder that names none. */
  insightsUrl: string | null;
  signIn: SignInOptions;
}

export const CONFIG_PATH = `${studioBase()}config.json`;

// A builder from before single sign-on says nothing about sign-in: it has only passwords.
const PASSWORD_ONLY: SignInOptions = { password: true, oidc: null };

function misconfigured(what: string): Error {
  return new Error(`${CONFIG_PATH} has ${what}: the builder serving Studio is misconfigured`);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

/** config.json's `signIn`, checked; a missing one means password sign-in only. */
export function signInOptions(raw: unknown): SignInOptions {
  if (raw === undefined) return PASSWORD_ONLY;
  const given = raw as { password?: unknown; oidc?: unknown } | null;
  if (typeof given !== "object" || given === null || typeof given.password !== "boolean") {
    throw misconfigured("no signIn.password (true or false)");
  }
  if (given.oidc === null || given.oidc === undefined) {
    if (!given.password) throw misconfigured("no way to sign in (no password, no oidc)");
    return { password: given.password, oidc: null };
  }
  const oidc = given.oidc as Partial<Record<keyof OidcOptions, unknown>>;
  for (const key of ["authority", "clientId", "scope"] as const) {
    if (!nonEmpty(oidc[key])) throw misconfigured(`no signIn.oidc.${key}`);
  }
  return {
    password: given.password,
    oidc: { authority: String(oidc.authority), clientId: String(oidc.clientId), scope: String(oidc.scope) },
  };
}

export async function loadConfig(fetchImpl: Fetch = fetch): Promise<StudioConfig> {
  const config = await requestJson<Partial<StudioConfig> & { signIn?: unknown }>(fetchImpl, CONFIG_PATH);
  for (const key of ["graphqlUrl", "graphqlWsUrl", "marketplaceUrl", "airflowUrl"] as const) {
    if (!nonEmpty(config[key])) throw misconfigured(`no ${key}`);
  }
  // An older builder sends no insightsUrl: the Dashboard then says the service is not configured.
  const insightsUrl = nonEmpty(config.insightsUrl) ? config.insightsUrl : null;
  return { ...(config as StudioConfig), insightsUrl, signIn: signInOptions(config.signIn) };
}

/** A websocket URL for a path or http(s) URL, relative to the page's own origin. */
export function websocketUrl(url: string, base: string = window.location.href): string {
  const resolved = new URL(url, base);
  resolved.protocol = resolved.protocol === "https:" ? "wss:" : "ws:";
  return resolved.toString();
}
