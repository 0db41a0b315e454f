import { NavLink, Outlet, useNavigate } from "react-router";

import { useSignedIn } from "../session/StudioContext";

const SECTIONS = [
  { to: "/workflows", label: "Workflows" },
  { to: "/marketplace", label: "Marketplace" },
  { to: "/endpoints", label: "Endpoints" },
  { to: "/dashboard", label: "Dashboard" },
];

/** Navigation, who is signed in (user, tenant, role) and sign-out around every page. */
export default function AppShell() {
  const { session, signOut } = useSignedIn();
  const navigate = useNavigate();
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Airloom Studio</span>
        <nav aria-label="Main">
          {SECTIONS.map((section) => (
            <NavLink key={section.to} to={section.to}>
              {section.label}
            </NavLink>
          ))}
        </nav>
        <div className="who" aria-label="Signed in as">
          <span className="user">{session.username}</span>
          <span className="tenant" title="Tenant">
            {session.tenant}
          </span>
          <span className="role" title="Role">
            {session.role}
          </span>
          <button
            type="button"
            onClick={() => {
              signOut();
              navigate("/signin", { replace: true });
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main className="page">
        <Outlet />
      </main>
    </div>
  );
}
