/** Load data for a page; an expired session signs the person out (they sign in again). */

import { useEffect, useState } from "react";

import { ApiError } from "./api/http";
import { useStudio } from "./session/StudioContext";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "failed"; message: string }
  | { state: "done"; data: T };

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const { signOut } = useStudio();
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  useEffect(() => {
    let current = true;
    setLoaded({ state: "loading" });
    load().then(
      (data) => current && setLoaded({ state: "done", data }),
      (error: unknown) => {
        if (!current) return;
        if (error instanceof ApiError && error.unauthenticated) signOut();
        setLoaded({ state: "failed", message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      current = false;
    };
    // The caller names what the load depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return loaded;
}
