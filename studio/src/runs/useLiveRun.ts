/**
 * A run kept current: runUpdates over graphql-ws while it lasts, and a refetch of run(id) every
 * few seconds instead if the subscription fails (a proxy that drops websockets, a restarted
 * builder). Once the run finishes, one last refetch fills in end times and errors.
 */

import { useEffect, useState } from "react";

import { loadRun, RUN_UPDATES, type Run } from "../api/runs";
import { useSignedIn } from "../session/StudioContext";
import { isSignedOut, messageOf } from "./errors";
import { applyUpdate, isFinished } from "./runState";

export const POLL_MS = 4_000;
/** How long a rerun may still read as finished before Airflow has queued it again. */
export const RERUN_GRACE_MS = 60_000;

export interface LiveRun {
  run: Run;
  /** Why live updates stopped coming over the websocket, if they did. */
  fallback: string | null;
  /** The last refetch failed: shown, and retried on the next tick. */
  problem: string | null;
}

/** `rerun`: the person just retried this run, so a finished state may be the old one. */
export function useLiveRun(initial: Run, rerun = false): LiveRun {
  const { graphql, signOut } = useSignedIn();
  const [run, setRun] = useState(initial);
  const [fallback, setFallback] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => setRun(initial), [initial]);

  useEffect(() => {
    const staleAtFirst = isFinished(initial.state);
    if (staleAtFirst && !rerun) return;
    let stopped = false;
    let seenLive = !staleAtFirst;
    const graceUntil = Date.now() + RERUN_GRACE_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;

    async function refetch(): Promise<Run | null> {
      try {
        const fresh = await loadRun(graphql, initial.id);
        if (!stopped) {
          setRun(fresh);
          setProblem(null);
        }
        return fresh;
      } catch (failure) {
        if (isSignedOut(failure)) signOut();
        if (!stopped) setProblem(`Could not refresh the run: ${messageOf(failure)}`);
        return null;
      }
    }

    function poll() {
      timer = setTimeout(async () => {
        const fresh = await refetch();
        if (fresh && !isFinished(fresh.state)) seenLive = true;
        const over = fresh !== null && isFinished(fresh.state) && (seenLive || Date.now() > graceUntil);
        if (!stopped && !over) poll();
      }, POLL_MS);
    }

    let polling = false;
    function fallBack(why: string) {
      if (polling || stopped) return;
      polling = true;
      setFallback(why);
      poll();
    }

    if (staleAtFirst) {
      // The subscription would see the old finished state and end: watch by refetching.
      poll();
      return () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
      };
    }

    let finished = false;
    const subscription = graphql.subscription(RUN_UPDATES, { runId: initial.id }).subscribe((result) => {
      if (stopped) return;
      if (result.error) {
        fallBack(`live updates failed (${result.error.message}); checking every few seconds`);
        return;
      }
      const update = result.data?.runUpdates;
      if (!update) return;
      setRun((current) => applyUpdate(current, update));
      if (isFinished(update.runState) && !finished) {
        finished = true;
        void refetch();
      }
    });

    return () => {
      stopped = true;
      subscription.unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [graphql, signOut, initial, rerun]);

  return { run, fallback, problem };
}
