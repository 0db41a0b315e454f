import { useState } from "react";

import { cancelRun } from "../api/runs";
import { Allowed } from "../session/Allowed";
import { useSignedIn } from "../session/StudioContext";
import { Failure } from "../Status";
import { isSignedOut, messageOf } from "./errors";

/** Stops a run still going (editors only); the live view then shows it failed. */
export function CancelButton({ runId }: { runId: string }) {
  const { graphql, signOut } = useSignedIn();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      await cancelRun(graphql, runId);
    } catch (failure) {
      if (isSignedOut(failure)) signOut();
      setError(`Could not cancel the run: ${messageOf(failure)}`);
      setBusy(false);
    }
  }

  return (
    <Allowed role="editor">
      <button type="button" onClick={cancel} disabled={busy}>
        {busy && !error ? "Cancelling…" : "Cancel run"}
      </button>
      {error && <Failure message={error} />}
    </Allowed>
  );
}
