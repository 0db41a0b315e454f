import { useId, useState, type FormEvent } from "react";

import { TARGETS, type Deployment, type Target, type VersionDetail } from "../api/marketplaceTypes";
import { DeploymentProgress } from "../endpoints/DeploymentProgress";
import { TryItForm } from "../endpoints/TryItForm";
import { Modal } from "../Modal";
import { useSignedIn } from "../session/StudioContext";

/** The marketplace's default endpoint name for a model (letters, digits and hyphens). */
export function defaultEndpoint(model: string): string {
  return model.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);
}

interface Props {
  version: VersionDetail;
  onClose(): void;
}

/** Deploy a version: endpoint name and target → the run's phases → a try-it form once ready. */
export function DeployDialog({ version, onClose }: Props) {
  const { marketplace } = useSignedIn();
  const titleId = useId();
  const [endpoint, setEndpoint] = useState(defaultEndpoint(version.name));
  const [target, setTarget] = useState<Target>("local");
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [started, setStarted] = useState<Deployment | null>(null);
  const [ready, setReady] = useState<Deployment | null>(null);

  async function deploy(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      setStarted(await marketplace.deploy(version.name, version.version, { endpoint: endpoint.trim(), target }));
    } catch (error) {
      setFailure(`Not deployed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal labelledBy={titleId} onClose={onClose}>
      <h2 id={titleId}>
        Deploy {version.name} v{version.version}
      </h2>
      {!started && (
        <form aria-label="Deployment" className="stack-form" onSubmit={deploy}>
          <label>
            Endpoint name
            <input
              required
              pattern="[A-Za-z0-9](-*[A-Za-z0-9]){0,62}"
              value={endpoint}
              onChange={(event) => setEndpoint(event.target.value)}
            />
          </label>
          <label htmlFor={`${titleId}-target`}>Target</label>
          <select
            id={`${titleId}-target`}
            value={target}
            onChange={(event) => setTarget(event.target.value as Target)}
          >
            {TARGETS.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
          {failure && (
            <p className="error" role="alert">
              {failure}
            </p>
          )}
          <div className="actions">
            <button type="submit" disabled={busy}>
              Deploy
            </button>
            <button type="button" className="secondary" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {started && <DeploymentProgress started={started} onReady={setReady} />}
      {ready?.endpoint && (
        <TryItForm endpoint={ready.endpoint} signature={version.signature} inputExample={version.input_example} />
      )}
      {started && (
        <div className="actions">
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </Modal>
  );
}
