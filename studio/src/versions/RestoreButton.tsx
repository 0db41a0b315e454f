import { useState } from "react";

import { restoreVersion } from "../api/versions";
import { isSignedOut, messageOf } from "../runs/errors";
import { Allowed } from "../session/Allowed";
import { useSignedIn } from "../session/StudioContext";
import { Failure } from "../Status";

interface RestoreButtonProps {
  workflowId: string;
  version: number;
  /** Called with the number of the new version the restore saved. */
  onRestored(made: number): void;
}

/** Restore saves an old version's design as a new version (history is kept); editors only. */
export function RestoreButton({ workflowId, version, onRestored }: RestoreButtonProps) {
  const { graphql, signOut } = useSignedIn();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function restore() {
    setBusy(true);
    setError(null);
    try {
      onRestored(await restoreVersion(graphql, workflowId, version));
    } catch (failure) {
      if (isSignedOut(failure)) signOut();
      setError(`Could not restore version ${version}: ${messageOf(failure)}`);
      setBusy(false);
    }
  }

  return (
    <Allowed role="editor">
      <button type="button" className="secondary" onClick={restore} disabled={busy}>
        Restore version {version}
      </button>
      {error && <Failure message={error} />}
    </Allowed>
  );
}
