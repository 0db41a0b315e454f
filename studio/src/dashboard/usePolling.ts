/**
 * Data that stays current: loaded, then asked again every few seconds while the tab is visible
 * (a hidden tab asks nothing; it catches up when shown again). A refresh keeps what is on the
 * page until the new answer arrives, so tiles and charts change in place instead of flashing a
 * loading note; a failed refresh says so and keeps the last figures.
 */

import { useCallback, useEffect, useRef, useState } from "react";

import { ApiError } from "../api/http";
import { useStudio } from "../session/StudioContext";

export const POLL_MS = 5000;

export interface Polled<T> {
  data: T | undefined;
  /** Why the last attempt failed; cleared by the next answer. */
  error: string | null;
  /** Ask now (after a change the person made), without waiting for the next poll. */
  refresh(): void;
}

export function usePolling<T>(load: () => Promise<T>, deps: unknown[], everyMs: number = POLL_MS): Polled<T> {
  const { signOut } = useStudio();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [asked, setAsked] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // New inputs (another period): the old figures are not these, so they go.
  useEffect(() => {
    setData(undefined);
    setError(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () => {
      if (typeof document !== "undefined" && document.hidden) return; // asked again when shown
      loadRef.current().then(
        (next) => {
          if (!current) return;
          setData(next);
          setError(null);
        },
        (failure: unknown) => {
          if (!current) return;
          if (failure instanceof ApiError && failure.unauthenticated) signOut();
          setError(failure instanceof Error ? failure.message : String(failure));
        },
      ).finally(() => {
        if (current) timer = setTimeout(poll, everyMs);
      });
    };
    const shown = () => {
      if (!document.hidden) {
        clearTimeout(timer);
        poll();
      }
    };
    poll();
    document.addEventListener("visibilitychange", shown);
    return () => {
      current = false;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", shown);
    };
    // The caller names what the load depends on; `asked` is a refresh the person asked for.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, asked, everyMs, signOut]);

  const refresh = useCallback(() => setAsked((n) => n + 1), []);
  return { data, error, refresh };
}
