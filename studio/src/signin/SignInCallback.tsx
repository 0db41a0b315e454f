import { useEffect } from "react";
import { useLocation, useNavigate } from "react-router";

import type { OidcOptions } from "../api/config";
import type { Fetch } from "../api/http";
import { useStudio } from "../session/StudioContext";
import { Loading } from "../Status";
import { destination } from "./destination";
import { finishSingleSignOn, type SignedIn } from "./oidc";
import type { SignInRouteState } from "./SignInPage";
import { ssoFailure } from "./ssoFailure";
import "./signin.css";

// One exchange per answer: a code is good once, and React may run an effect twice (StrictMode).
const pending = new Map<string, Promise<SignedIn>>();

function finishOnce(oidc: OidcOptions, search: string, fetchImpl: Fetch): Promise<SignedIn> {
  let finishing = pending.get(search);
  if (!finishing) {
    finishing = finishSingleSignOn(oidc, search, fetchImpl);
    pending.set(search, finishing);
    const forget = () => pending.delete(search);
    finishing.then(forget, forget);
  }
  return finishing;
}

/**
 * `/signin/callback`: where the OIDC provider sends the browser back with a code. The code is
 * exchanged (PKCE), the builder says who the ID token speaks for, and the person goes on to
 * where they were; a failure goes back to the sign-in page, which says what happened.
 */
export default function SignInCallback() {
  const { config, fetch, signedIn } = useStudio();
  const { search } = useLocation();
  const navigate = useNavigate();
  const oidc = config.signIn.oidc;

  useEffect(() => {
    let current = true;
    const failed = (ssoError: string, from?: string) => {
      const state: SignInRouteState = { ssoError, from };
      navigate("/signin", { replace: true, state });
    };
    if (!oidc) {
      failed("Single sign-on is not set up on this Airloom.");
      return;
    }
    finishOnce(oidc, search, fetch).then(
      ({ session, from }) => {
        if (!current) return;
        signedIn(session);
        // Replace: the code in this URL is spent, Back should not come here.
        navigate(from, { replace: true });
      },
      (failure: unknown) => {
        if (!current) return;
        failed(ssoFailure(failure), destination((failure as { state?: unknown }).state));
      },
    );
    return () => {
      current = false;
    };
  }, [oidc, search, fetch, signedIn, navigate]);

  return (
    <main className="signin">
      <section className="signin-card" aria-labelledby="signin-title">
        <h1 id="signin-title">Signing in to Airloom Studio</h1>
        <Loading what="your session" />
      </section>
    </main>
  );
}
