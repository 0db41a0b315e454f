/**
 * Single sign-on with an OIDC provider (Amazon Cognito on AWS): the authorization-code flow with
 * PKCE (S256), by oidc-client-ts. Only the sign-in routes import this module, and only when a
 * person uses single sign-on, so the library never weighs on the other pages.
 *
 * The provider's ID token is the session's token: both services accept it and the builder's
 * /auth/me says who it speaks for. The access token is not used.
 */

import { OidcClient, UserManager, WebStorageStateStore, type UserManagerSettings } from "oidc-client-ts";

import { OIDC_STORAGE_PREFIX, whoIs, type Session } from "../api/auth";
import { studioBase } from "../api/basePath";
import type { OidcOptions } from "../api/config";
import type { Fetch } from "../api/http";
import { destination } from "./destination";

/** The URL the provider sends people back to; registered as the app client's callback URL. */
export function callbackUrl(origin: string = window.location.origin): string {
  return `${origin}${studioBase()}signin/callback`;
}

export function oidcSettings(oidc: OidcOptions, storage: Storage = sessionStorage): UserManagerSettings {
  // In the tab's sessionStorage like the session itself (the default is localStorage, shared
  // by every tab and kept after the browser closes).
  const store = new WebStorageStateStore({ prefix: OIDC_STORAGE_PREFIX, store: storage });
  return {
    authority: oidc.authority,
    client_id: oidc.clientId,
    scope: oidc.scope,
    redirect_uri: callbackUrl(),
    response_type: "code",
    stateStore: store,
    userStore: store,
    // Studio signs in again when the token expires; no hidden iframes or refresh tokens.
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
  };
}

/** What the sign-in was started from, carried through the provider and back. */
interface SignInState {
  from: string;
}

/** Leaving Studio for the provider's page; a seam so unit tests can see where it goes. */
export const browser = {
  assign(url: string): void {
    window.location.assign(url);
  },
};

/** Sends the browser to the provider's sign-in page; it comes back to the callback route. */
export async function startSingleSignOn(oidc: OidcOptions, from: string): Promise<void> {
  const client = new OidcClient(oidcSettings(oidc));
  await client.clearStaleState();
  const state: SignInState = { from };
  // The same request UserManager.signinRedirect makes (PKCE verifier and state kept in the
  // state store); made here so the navigation is Studio's own.
  const request = await client.createSigninRequest({ state, request_type: "si:r" });
  browser.assign(request.url);
}

export interface SignedIn {
  session: Session;
  /** Where the person was going when the sign-in started. */
  from: string;
}

/** Completes the sign-in the provider's answer (`search`: the callback URL's query) carries. */
export async function finishSingleSignOn(oidc: OidcOptions, search: string, fetchImpl: Fetch): Promise<SignedIn> {
  const manager = new UserManager(oidcSettings(oidc));
  const user = await manager.signinRedirectCallback(search);
  if (!user.id_token) throw new Error("the identity provider gave no ID token (is 'openid' in the scope?)");
  try {
    const session = await whoIs(user.id_token, fetchImpl);
    return { session, from: destination(user.state) };
  } catch (refused) {
    // Nobody is signed in: keep no half of it.
    await manager.removeUser();
    throw refused;
  }
}
