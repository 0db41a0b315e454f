import { useEffect } from "react";

import type { Deployment } from "../api/marketplaceTypes";
import { finished, steps } from "./phases";
import { useDeployment } from "./useDeployment";

const LABELS: Record<string, string> = {
  done: "done",
  current: "in progress",
  pending: "to come",
  skipped: "skipped",
  failed: "failed",
};

interface Props {
  started: Deployment;
  /** Told once, when the run is ready. */
  onReady?(deployment: Deployment): void;
  /** Told once, when the run has ended either way. */
  onFinished?(deployment: Deployment): void;
}

/** A deployment's phases as a step list, followed until ready or failed (with the reason). */
export function DeploymentProgress({ started, onReady, onFinished }: Props) {
  const { deployment, seen, problem } = useDeployment(started);
  const ready = deployment.phase === "ready";
  useEffect(() => {
    if (ready) onReady?.(deployment);
    // Once: the deployment no longer changes when ready.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready]);
  const ended = finished(deployment);
  useEffect(() => {
    if (ended) onFinished?.(deployment);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ended]);
  const what = deployment.action === "rollback" ? "Rollback" : "Deployment";
  return (
    <section aria-label={`${what} progress`}>
      <p>
        {what} of {deployment.model} v{deployment.version} to endpoint {deployment.endpoint ?? "—"}
      </p>
      <ol className="steps" aria-label="Phases">
        {steps(deployment.phase, seen).map((step) => (
          <li key={step.phase} className={`step-${step.state}`} aria-current={step.state === "current" ? "step" : undefined}>
            {step.phase} <span className="muted">({LABELS[step.state]})</span>
          </li>
        ))}
      </ol>
      <p role="status">
        {deployment.phase === "ready"
          ? `Ready: ${deployment.endpoint ? `endpoint ${deployment.endpoint}` : "the endpoint"} serves ${deployment.model} v${deployment.version}.`
          : deployment.phase === "failed"
            ? ""
            : `${deployment.phase}${deployment.phase_reason ? `: ${deployment.phase_reason}` : "…"}`}
      </p>
      {deployment.phase === "failed" && (
        <p className="error" role="alert">
          {what} failed: {deployment.phase_reason ?? "the run did not say why"}
          {deployment.rolled_back ? " (the endpoint still serves the previous version)" : ""}
        </p>
      )}
      {problem && <p className="muted">Could not ask about the run just now ({problem}); asking again.</p>}
    </section>
  );
}
