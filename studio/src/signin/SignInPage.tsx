import { Navigate, useLocation } from "react-router";

import { useStudio } from "../session/StudioContext";
import { destination } from "./destination";
import { PasswordForm } from "./PasswordForm";
import { SingleSignOn } from "./SingleSignOn";
import "./signin.css";

/** Set by the callback route when single sign-on failed, so this page can say why. */
export interface SignInRouteState {
  from?: string;
  ssoError?: string;
}

/** The ways this builder offers: single sign-on, a password, or both. */
export default function SignInPage() {
  const { session, config } = useStudio();
  const location = useLocation();
  const state = location.state as SignInRouteState | null;
  const from = destination(state);

  if (session) return <Navigate to={from} replace />;

  const { password, oidc } = config.signIn;
  return (
    <main className="signin">
      <section className="signin-card" aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Airloom Studio</h1>
        {state?.ssoError && (
          <p className="error" role="alert">
            {state.ssoError} You can try again.
          </p>
        )}
        {oidc && <SingleSignOn oidc={oidc} from={from} />}
        {oidc && password && <p className="signin-or">or with your Airloom password</p>}
        {password && <PasswordForm />}
      </section>
    </main>
  );
}
