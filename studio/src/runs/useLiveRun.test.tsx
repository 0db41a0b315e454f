import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { NodeRunState, Run, RunUpdate } from "../api/runs";

// The hook's client, played by the test: what the subscription sends and what run(id) answers.
const fake = vi.hoisted(() => ({
  sink: null as ((result: { data?: { runUpdates: unknown }; error?: Error }) => void) | null,
  answers: [] as unknown[],
  queries: 0,
}));

// One client for every render, as the app's context memoizes it.
const signedIn = vi.hoisted(() => ({
  signOut: () => {},
  graphql: {
    subscription: () => ({
      subscribe(sink: (result: { data?: { runUpdates: unknown }; error?: Error }) => void) {
        fake.sink = sink;
        return { unsubscribe() {} };
      },
    }),
    query: () => ({
      toPromise: async () => {
        fake.queries += 1;
        return { data: { run: fake.answers.shift() } };
      },
    }),
  },
}));

vi.mock("../session/StudioContext", () => ({ useSignedIn: () => signedIn }));

const { POLL_MS, useLiveRun } = await import("./useLiveRun");

function node(nodeId: string, state: string | null): NodeRunState {
  return { nodeId, type: "t", state, tryNumber: 1, start: null, end: null, logUrl: null, error: null };
}

const RUNNING: Run = {
  id: "run-1",
  workflowId: "wf-1",
  version: 1,
  triggeredBy: "ann",
  runType: "manual",
  createdAt: "2026-03-01T10:00:00+00:00",
  recordedState: "running",
  state: "running",
  start: null,
  end: null,
  workflow: { id: "wf-1", name: "churn", title: "" },
  nodes: [node("load", "running"), node("train", null)],
};

beforeEach(() => {
  vi.useFakeTimers();
  fake.sink = null;
  fake.answers = [];
  fake.queries = 0;
});
afterEach(() => vi.useRealTimers());

describe("useLiveRun", () => {
  it("applies runUpdates as they come, and refetches once when the run finishes", async () => {
    const finished = { ...RUNNING, state: "success", nodes: [node("load", "success"), node("train", "success")] };
    fake.answers = [finished];
    const { result } = renderHook(() => useLiveRun(RUNNING));
    const update = (runUpdates: RunUpdate) => act(() => fake.sink!({ data: { runUpdates } }));
    await update({ runId: "run-1", runState: "running", node: node("load", "success") });
    expect(result.current.run.nodes.map((each) => each.state)).toEqual(["success", null]);
    await update({ runId: "run-1", runState: "success", node: null });
    await act(async () => {});
    expect(result.current.run).toEqual(finished);
    expect(fake.queries).toBe(1);
    expect(result.current.fallback).toBeNull();
  });

  it("falls back to refetching every few seconds when the subscription fails", async () => {
    const later = { ...RUNNING, nodes: [node("load", "success"), node("train", "running")] };
    const done = { ...RUNNING, state: "failed", nodes: [node("load", "success"), node("train", "failed")] };
    fake.answers = [later, done];
    const { result } = renderHook(() => useLiveRun(RUNNING));
    act(() => fake.sink!({ error: new Error("socket closed") }));
    expect(result.current.fallback).toMatch(/live updates failed .*socket closed/);
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(result.current.run.nodes[1].state).toBe("running");
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(result.current.run.state).toBe("failed");
    // Finished: no more polling.
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS * 3));
    expect(fake.queries).toBe(2);
  });

  it("watches a rerun that still reads finished until Airflow queues it again", async () => {
    const old = { ...RUNNING, state: "failed" };
    fake.answers = [old, { ...RUNNING, state: "queued" }, { ...RUNNING, state: "failed" }];
    const { result } = renderHook(() => useLiveRun(old, true));
    expect(fake.sink).toBeNull();
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(result.current.run.state).toBe("failed");
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(result.current.run.state).toBe("queued");
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(result.current.run.state).toBe("failed");
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS * 3));
    expect(fake.queries).toBe(3);
  });
});
