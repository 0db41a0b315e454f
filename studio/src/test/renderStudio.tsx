import { render } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";

import type { Fetch } from "../api/http";
import { routes } from "../routes";
import { StudioProvider } from "../session/StudioContext";
import { CONFIG } from "./answers";

const NO_SUBSCRIPTIONS = { subscriptions: false };

/** Studio as the browser runs it (its routes, lazy pages and all) at `path`, over `fetch`. */
export function renderStudio(path: string, fetch: Fetch) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <StudioProvider config={CONFIG} fetch={fetch} graphqlOptions={NO_SUBSCRIPTIONS}>
      <RouterProvider router={router} />
    </StudioProvider>,
  );
  return router;
}
