/** A deployment's phases as a step list a person follows: queued → validating → deploying → ready. */

import type { Deployment, Phase } from "../api/marketplaceTypes";

export const PHASES: Exclude<Phase, "failed">[] = ["queued", "validating", "deploying", "ready"];

export type StepState = "done" | "current" | "pending" | "skipped" | "failed";

export interface Step {
  phase: Phase;
  state: StepState;
}

/** Polling stops once the run has ended one way or the other. */
export function finished(deployment: Pick<Deployment, "phase">): boolean {
  return deployment.phase === "ready" || deployment.phase === "failed";
}

/**
 * The steps as of `phase`, given the phases seen while polling: a version already validated
 * goes from queued to deploying, so validating is "skipped" rather than shown as done; a
 * failure is marked on the step after the last one reached.
 */
export function steps(phase: Phase, seen: Phase[]): Step[] {
  if (phase === "failed") {
    const reached = PHASES.filter((p) => seen.includes(p));
    const last = reached.length ? PHASES.indexOf(reached[reached.length - 1]) : 0;
    return PHASES.map((p, index): Step => {
      if (index < last) return { phase: p, state: seen.includes(p) ? "done" : "skipped" };
      if (index === last) return { phase: p, state: "failed" };
      return { phase: p, state: "pending" };
    });
  }
  const current = PHASES.indexOf(phase);
  return PHASES.map((p, index): Step => {
    if (index === current) return { phase: p, state: p === "ready" ? "done" : "current" };
    if (index > current) return { phase: p, state: "pending" };
    if (p === "validating" && !seen.includes("validating")) return { phase: p, state: "skipped" };
    return { phase: p, state: "done" };
  });
}
