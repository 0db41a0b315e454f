/** Studio's routes; each page is its own chunk, so the canvas route loads only what it needs. */

import type { ComponentType } from "react";
import { Navigate, type RouteObject } from "react-router";

import { RouteError } from "./RouteError";
import { RequireSession } from "./session/RequireSession";
import { Loading } from "./Status";

function page(load: () => Promise<{ default: ComponentType }>): Pick<RouteObject, "lazy"> {
  return { lazy: async () => ({ Component: (await load()).default }) };
}

export const routes: RouteObject[] = [
  {
    // Shown while the first page's chunk loads.
    HydrateFallback: () => <Loading what="Studio" />,
    // A page's chunk that fails to load (e.g. replaced by a newer build) says so, not a stack trace.
    ErrorBoundary: RouteError,
    children: [
      { path: "/signin", ...page(() => import("./signin/SignInPage")) },
      // Where the OIDC provider sends people back (registered as the app client's callback URL).
      { path: "/signin/callback", ...page(() => import("./signin/SignInCallback")) },
      {
        element: <RequireSession />,
        children: [
          {
            ...page(() => import("./shell/AppShell")),
            children: [
              { index: true, element: <Navigate to="/workflows" replace /> },
              { path: "/workflows", ...page(() => import("./workflows/WorkflowsPage")) },
              { path: "/workflows/templates", ...page(() => import("./templates/TemplatesPage")) },
              { path: "/workflows/:id", ...page(() => import("./canvas/CanvasPage")) },
              { path: "/workflows/:id/runs", ...page(() => import("./runs/RunsPage")) },
              { path: "/workflows/:id/runs/:runId", ...page(() => import("./runs/RunPage")) },
              { path: "/workflows/:id/versions", ...page(() => import("./versions/VersionsPage")) },
              { path: "/marketplace", ...page(() => import("./marketplace/MarketplacePage")) },
              { path: "/marketplace/models/:name", ...page(() => import("./marketplace/ModelPage")) },
              { path: "/marketplace/compare", ...page(() => import("./marketplace/ComparePage")) },
              { path: "/endpoints", ...page(() => import("./endpoints/EndpointsPage")) },
              { path: "/endpoints/:name", ...page(() => import("./endpoints/EndpointPage")) },
              { path: "/dashboard", ...page(() => import("./dashboard/DashboardPage")) },
              { path: "*", element: <p role="alert">No such page in Studio.</p> },
            ],
          },
        ],
      },
    ],
  },
];
