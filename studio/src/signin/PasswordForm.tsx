import { useState, type FormEvent } from "react";

import { signIn } from "../api/auth";
import { useStudio } from "../session/StudioContext";

/** User name and password, checked by the builder; the page moves on once signed in. */
export function PasswordForm() {
  const { signedIn, fetch } = useStudio();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      signedIn(await signIn(username, password, fetch));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  }

  return (
    // Its name says neither "User name" nor "Password": those label the fields alone.
    <form onSubmit={submit} aria-label="Airloom account">
      <label>
        User name
        <input
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
