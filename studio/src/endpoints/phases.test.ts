import { describe, expect, it } from "vitest";

import { finished, steps } from "./phases";

const states = (list: ReturnType<typeof steps>) => list.map((step) => `${step.phase}:${step.state}`);

describe("a deployment's steps", () => {
  it("mark what is done, what runs now and what is to come", () => {
    expect(states(steps("validating", ["queued", "validating"]))).toEqual([
      "queued:done",
      "validating:current",
      "deploying:pending",
      "ready:pending",
    ]);
  });

  it("skip validating for a version validated before, and end ready", () => {
    expect(states(steps("ready", ["queued", "deploying", "ready"]))).toEqual([
      "queued:done",
      "validating:skipped",
      "deploying:done",
      "ready:done",
    ]);
  });

  it("mark the failure where the run was", () => {
    expect(states(steps("failed", ["queued", "validating", "failed"]))).toEqual([
      "queued:done",
      "validating:failed",
      "deploying:pending",
      "ready:pending",
    ]);
  });

  it("stop polling once ready or failed", () => {
    expect(finished({ phase: "deploying" })).toBe(false);
    expect(finished({ phase: "ready" })).toBe(true);
    expect(finished({ phase: "failed" })).toBe(true);
  });
});
