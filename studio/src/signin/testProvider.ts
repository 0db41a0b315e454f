/**
 * A fake OIDC provider for unit tests, answering oidc-client-ts's discovery and token requests
 * as Amazon Cognito does (the authorization page itself is the browser tests' business). Every
 * other request goes to the fetch it wraps (Studio's own APIs are not called through it).
 */

import type { OidcOptions } from "../api/config";

export const OIDC: OidcOptions = {
  authority: "https://idp.example.com/pool",
  clientId: "studio-app-client",
  scope: "openid email profile",
};

function base64url(bytes: Uint8Array | string): string {
  const binary = typeof bytes === "string" ? bytes : String.fromCharCode(...bytes);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export function fakeProvider() {
  const codes = new Map<string, Record<string, string>>();
  const tokenRequests: URLSearchParams[] = [];
  const claims = { sub: "3f2a", iss: OIDC.authority, aud: OIDC.clientId, "cognito:username": "ola" };
  // Unsigned: oidc-client-ts reads an ID token's claims, the services check its signature.
  const idToken = `${base64url(JSON.stringify({ alg: "RS256" }))}.${base64url(JSON.stringify(claims))}.c2ln`;
  const authorizationEndpoint = `${OIDC.authority}/oauth2/authorize`;

  async function token(body: URLSearchParams): Promise<Response> {
    tokenRequests.push(body);
    const asked = codes.get(body.get("code") ?? "");
    codes.delete(body.get("code") ?? "");
    const verified =
      asked !== undefined &&
      body.get("client_id") === asked.client_id &&
      body.get("redirect_uri") === asked.redirect_uri &&
      (await challengeOf(body.get("code_verifier") ?? "")) === asked.code_challenge;
    if (!verified) return Response.json({ error: "invalid_grant" }, { status: 400 });
    return Response.json({ id_token: idToken, access_token: "access", token_type: "Bearer", expires_in: 3600 });
  }

  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    if (url.pathname === "/pool/.well-known/openid-configuration") {
      return Response.json({
        issuer: OIDC.authority,
        authorization_endpoint: authorizationEndpoint,
        token_endpoint: `${OIDC.authority}/oauth2/token`,
        jwks_uri: `${OIDC.authority}/.well-known/jwks.json`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (url.pathname === "/pool/oauth2/token" && init?.method === "POST") {
      return token(new URLSearchParams(String(init.body)));
    }
    return Response.json({ error: `the fake provider has no ${url.pathname}` }, { status: 404 });
  };

  return {
    fetch: fetchImpl,
    idToken,
    authorizationEndpoint,
    tokenRequests,
    /** What the provider's sign-in page would do: a code for the authorization request. */
    issueCode(asked: Record<string, string>): string {
      const code = `code-${codes.size + 1}`;
      codes.set(code, asked);
      return code;
    },
  };
}
