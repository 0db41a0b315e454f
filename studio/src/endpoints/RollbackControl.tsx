import { useState, type FormEvent } from "react";

import type { Deployment } from "../api/marketplaceTypes";
import { useSignedIn } from "../session/StudioContext";
import { DeploymentProgress } from "./DeploymentProgress";

/** "Roll back", confirmed with an optional reason, then the rollback run's phases. */
export function RollbackControl({ endpoint, onDone }: { endpoint: string; onDone(): void }) {
  const { marketplace } = useSignedIn();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const [started, setStarted] = useState<Deployment | null>(null);
  const [ended, setEnded] = useState(false);

  async function rollback(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    try {
      setStarted(await marketplace.rollback(endpoint, reason.trim()));
      setConfirming(false);
    } catch (error) {
      setFailure(`Not rolled back: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  if (started) {
    return (
      <>
        <DeploymentProgress key={started.run_id} started={started} onReady={onDone} onFinished={() => setEnded(true)} />
        {ended && (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setStarted(null);
              setEnded(false);
              setReason("");
            }}
          >
            Done
          </button>
        )}
      </>
    );
  }
  if (!confirming) {
    return (
      <button type="button" onClick={() => setConfirming(true)}>
        Roll back
      </button>
    );
  }
  return (
    <form aria-label="Confirm rollback" className="stack-form" onSubmit={rollback}>
      <p>Roll {endpoint} back to the version it served before?</p>
      <label>
        Reason (optional)
        <input value={reason} maxLength={1000} onChange={(event) => setReason(event.target.value)} />
      </label>
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      <div className="actions">
        <button type="submit">Confirm rollback</button>
        <button type="button" className="secondary" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
