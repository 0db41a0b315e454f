import { render, screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { describe, expect, it } from "vitest";

import { RouteError } from "./RouteError";

describe("a page that cannot open", () => {
  it("says why in words and offers a reload", async () => {
    const router = createMemoryRouter([
      {
        path: "/",
        ErrorBoundary: RouteError,
        lazy: async () => {
          throw new TypeError("Failed to fetch dynamically imported module: /studio/assets/RunPage-x.js");
        },
      },
    ]);
    render(<RouterProvider router={router} />);
    expect(await screen.findByRole("heading", { name: "This page could not open" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("Reload to get the new version");
    expect(screen.getByText(/Failed to fetch dynamically imported module/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Reload" })).toBeEnabled();
  });
});
