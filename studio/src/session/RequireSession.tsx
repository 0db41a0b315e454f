import { Navigate, Outlet, useLocation } from "react-router";

import { useStudio } from "./StudioContext";

/** Pages behind sign-in: a signed-out person goes to the sign-in page and comes back after. */
export function RequireSession() {
  const { session } = useStudio();
  const location = useLocation();
  if (!session) {
    const from = location.pathname + location.search;
    return <Navigate to="/signin" replace state={{ from }} />;
  }
  return <Outlet />;
}
