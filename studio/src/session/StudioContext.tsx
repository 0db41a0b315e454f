/** What every page needs: the config, the signed-in session and clients made from both. */

import type { Client } from "@urql/core";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

import { sessionStore, type Session } from "../api/auth";
import type { StudioConfig } from "../api/config";
import { createGraphqlClient, type GraphqlOptions } from "../api/graphql";
import type { Fetch } from "../api/http";
import { MarketplaceApi } from "../api/marketplace";

export interface Studio {
  config: StudioConfig;
  session: Session | null;
  signedIn(session: Session): void;
  signOut(): void;
  /** Made for the signed-in session; null when signed out. */
  graphql: Client | null;
  marketplace: MarketplaceApi | null;
  fetch: Fetch;
}

const StudioContext = createContext<Studio | null>(null);

export interface StudioProviderProps {
  config: StudioConfig;
  children: ReactNode;
  /** Tests pass their own: the page's fetch otherwise. */
  fetch?: Fetch;
  graphqlOptions?: GraphqlOptions;
}

export function StudioProvider({ config, children, fetch: fetchImpl, graphqlOptions }: StudioProviderProps) {
  const [session, setSession] = useState<Session | null>(() => sessionStore.load());
  const signedIn = useCallback((next: Session) => {
    sessionStore.save(next);
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    sessionStore.clear();
    setSession(null);
  }, []);
  const boundFetch = useMemo<Fetch>(() => fetchImpl ?? ((...args) => fetch(...args)), [fetchImpl]);
  const value = useMemo<Studio>(
    () => ({
      config,
      session,
      signedIn,
      signOut,
      fetch: boundFetch,
      graphql: session
        ? createGraphqlClient(config, session, { fetch: boundFetch, ...graphqlOptions })
        : null,
      marketplace: session ? new MarketplaceApi(config.marketplaceUrl, session, boundFetch) : null,
    }),
    [config, session, signedIn, signOut, boundFetch, graphqlOptions],
  );
  return <StudioContext.Provider value={value}>{children}</StudioContext.Provider>;
}

export function useStudio(): Studio {
  const studio = useContext(StudioContext);
  if (studio === null) throw new Error("useStudio outside StudioProvider");
  return studio;
}

/** For pages behind RequireSession: the session and its clients, never null. */
export function useSignedIn() {
  const studio = useStudio();
  if (!studio.session || !studio.graphql || !studio.marketplace) {
    throw new Error("useSignedIn outside RequireSession");
  }
  return { ...studio, session: studio.session, graphql: studio.graphql, marketplace: studio.marketplace };
}
