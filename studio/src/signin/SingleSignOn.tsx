import { useState } from "react";

import type { OidcOptions } from "../api/config";

/**
 * "Sign in with single sign-on": off to the OIDC provider and back to `from`. The OIDC client
 * is loaded on the press, so a page nobody signs in from never downloads it.
 */
export function SingleSignOn({ oidc, from }: { oidc: OidcOptions; from: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const { startSingleSignOn } = await import("./oidc");
      await startSingleSignOn(oidc, from);
      // The browser is leaving for the provider: the button stays busy until it has.
    } catch (failure) {
      const message = failure instanceof Error ? failure.message : String(failure);
      setError(`Single sign-on could not start: ${message}. Try again, or ask your administrator.`);
      setBusy(false);
    }
  }

  return (
    <div className="signin-sso">
      <button type="button" onClick={start} disabled={busy} aria-busy={busy}>
        Sign in with single sign-on
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
