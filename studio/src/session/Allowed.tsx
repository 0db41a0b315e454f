import type { ReactNode } from "react";

import { atLeast, type Role } from "../api/roles";
import { useStudio } from "./StudioContext";

/** Renders its children only for a role that may use them: a viewer sees no edit controls. */
export function Allowed({ role, children }: { role: Role; children: ReactNode }) {
  const { session } = useStudio();
  return session && atLeast(session.role, role) ? <>{children}</> : null;
}
