import { useEffect, useState } from "react";

import type { Deployment, Phase } from "../api/marketplaceTypes";
import { useSignedIn } from "../session/StudioContext";
import { finished } from "./phases";

/** How often a running deployment is asked about; a deploy takes tens of seconds. */
export const POLL_MS = 1500;

/** A deployment or rollback followed until ready or failed (GET /deployments/{run_id}). */
export function useDeployment(started: Deployment) {
  const { marketplace } = useSignedIn();
  const [deployment, setDeployment] = useState(started);
  const [seen, setSeen] = useState<Phase[]>([started.phase]);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (finished(deployment)) return;
    let current = true;
    const timer = setTimeout(() => {
      marketplace.deployment(deployment.run_id).then(
        (next) => {
          if (!current) return;
          setProblem(null);
          setSeen((phases) => (phases.includes(next.phase) ? phases : [...phases, next.phase]));
          setDeployment(next);
        },
        (error: unknown) => {
          if (!current) return;
          // Asked again on the next round: a busy marketplace is not a failed deployment.
          setProblem(error instanceof Error ? error.message : String(error));
          setDeployment((same) => ({ ...same }));
        },
      );
    }, POLL_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [deployment, marketplace]);

  return { deployment, seen, problem };
}
