/**
 * What to tell a person whose single sign-on failed: what happened, in words, and where
 * (the provider, this tab, or Airloom refusing the provider's token).
 */

import { ApiError } from "../api/http";

/** The OAuth error oidc-client-ts throws for the provider's `?error=…` (ErrorResponse). */
interface ProviderError {
  name: "ErrorResponse";
  error: string;
  error_description: string | null;
}

function fromProvider(failure: unknown): failure is ProviderError {
  return failure instanceof Error && failure.name === "ErrorResponse" && "error" in failure;
}

export function ssoFailure(failure: unknown): string {
  if (fromProvider(failure)) {
    const why = failure.error_description ? ` (${failure.error_description})` : "";
    if (failure.error === "access_denied") {
      return `The identity provider did not sign you in: access denied${why}.`;
    }
    return `The identity provider answered with an error: ${failure.error}${why}.`;
  }
  if (failure instanceof ApiError) {
    return `Airloom refused the identity provider's token: ${failure.message}.`;
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  if (/no matching state|state does not match/i.test(message)) {
    // A reload of the callback, a second tab, or a link from elsewhere: nothing to finish here.
    return "This sign-in was not started in this tab, or it was already used.";
  }
  return `Single sign-on failed: ${message}.`;
}
