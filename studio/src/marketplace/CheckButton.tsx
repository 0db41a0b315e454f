import { useEffect, useState } from "react";

import type { CheckKind } from "../api/marketplace";
import type { CheckResult } from "../api/marketplaceTypes";
import { useSignedIn } from "../session/StudioContext";

const RUNNING = new Set(["queued", "running"]);
const POLL_MS = 3000;

interface Props {
  kind: CheckKind;
  model: string;
  version: number;
  /** Told when the run has ended, with its result, so the page shows it. */
  onResult(result: CheckResult | null): void;
}

/** "Validate" or "Benchmark": starts the run, then says its state until it ends. */
export function CheckButton({ kind, model, version, onResult }: Props) {
  const { marketplace } = useSignedIn();
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const label = kind === "validation" ? "Validate" : "Benchmark";

  useEffect(() => {
    if (!status || !RUNNING.has(status)) return;
    const timer = setTimeout(() => {
      marketplace.checkStatus(kind, model, version).then(
        (now) => {
          setStatus(now.status);
          if (!RUNNING.has(now.status)) onResult(now.result);
        },
        (error: unknown) => setFailure(`${label} status unknown: ${error instanceof Error ? error.message : error}`),
      );
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [status, kind, model, version, marketplace, onResult, label]);

  async function start() {
    setFailure(null);
    try {
      const run = await marketplace.startCheck(kind, model, version);
      setStatus(run.state === "running" ? "running" : "queued");
    } catch (error) {
      setFailure(`${label} of v${version} not started: ${error instanceof Error ? error.message : error}`);
    }
  }

  const running = status !== null && RUNNING.has(status);
  return (
    <span className="actions">
      <button type="button" onClick={start} disabled={running}>
        {label}
      </button>
      {status && (
        <span role="status">
          {label === "Validate" ? "Validation" : "Benchmark"} {status}
          {running ? "…" : ""}
        </span>
      )}
      {failure && (
        <span className="error" role="alert">
          {failure}
        </span>
      )}
    </span>
  );
}
