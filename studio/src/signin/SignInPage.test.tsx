import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { answering, json, LOGIN_OK, WORKFLOWS_PAGE } from "../test/answers";
import { renderStudio } from "../test/renderStudio";

async function signInAs(user: ReturnType<typeof userEvent.setup>, username: string, password: string) {
  await user.type(await screen.findByLabelText("User name"), username);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("the sign-in page", () => {
  it("shows the builder's 401 message and stores nothing", async () => {
    const { fetch } = answering({
      "POST /auth/login": () => json({ detail: "wrong user name or password" }, 401),
    });
    renderStudio("/signin", fetch);
    const user = userEvent.setup();
    await signInAs(user, "ann", "wrong-password");
    expect(await screen.findByRole("alert")).toHaveTextContent("wrong user name or password");
    expect(sessionStorage.length).toBe(0);
    expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
  });

  it("keeps the token, then shows the workflows with who is signed in", async () => {
    const { fetch, requests } = answering({
      "POST /auth/login": () => json(LOGIN_OK),
      "graphql StudioWorkflows": () => json(WORKFLOWS_PAGE),
    });
    const router = renderStudio("/signin", fetch);
    await signInAs(userEvent.setup(), "ann", "right-password");
    expect(await screen.findByRole("heading", { name: "Workflows" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/workflows");
    const stored = JSON.parse(sessionStorage.getItem("airloom.studio.session")!);
    expect(stored.token).toBe(LOGIN_OK.access_token);
    const who = screen.getByLabelText("Signed in as");
    expect(who).toHaveTextContent("ann");
    expect(who).toHaveTextContent("acme");
    expect(who).toHaveTextContent("editor");
    expect(await screen.findByRole("link", { name: "Weekly churn" })).toHaveAttribute("href", "/workflows/wf-1");
    expect(screen.getByText("published v2 (v3 saved)")).toBeInTheDocument();
    expect(screen.getByText("success")).toBeInTheDocument();
    expect(screen.getByText("never run")).toBeInTheDocument();
    const graphql = requests.find((request) => request.url.pathname === "/graphql")!;
    expect(graphql.headers.get("authorization")).toBe(`Bearer ${LOGIN_OK.access_token}`);
  });

  it("sends a signed-out person to sign in and back where they were going", async () => {
    const { fetch } = answering({
      "POST /auth/login": () => json(LOGIN_OK),
      "graphql StudioWorkflow": () =>
        json({ data: null, errors: [{ message: "no workflow 'wf-7'", extensions: { code: "NOT_FOUND" } }] }),
    });
    const router = renderStudio("/workflows/wf-7", fetch);
    await signInAs(userEvent.setup(), "ann", "right-password");
    expect(await screen.findByRole("alert")).toHaveTextContent("no workflow 'wf-7'");
    expect(router.state.location.pathname).toBe("/workflows/wf-7");
  });
});

describe("signed in", () => {
  function signedInAs(role: string) {
    sessionStorage.setItem(
      "airloom.studio.session",
      JSON.stringify({ token: "tok", username: "ann", tenant: "acme", role, expiresAt: Date.now() + 60_000 }),
    );
    return answering({ "graphql StudioWorkflows": () => json(WORKFLOWS_PAGE) });
  }

  it("a viewer sees the workflows but no control to create one", async () => {
    renderStudio("/workflows", signedInAs("viewer").fetch);
    expect(await screen.findByRole("link", { name: "Weekly churn" })).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "New workflow" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New workflow" })).not.toBeInTheDocument();
  });

  it("an editor can create a workflow", async () => {
    renderStudio("/workflows", signedInAs("editor").fetch);
    expect(await screen.findByRole("form", { name: "New workflow" })).toBeInTheDocument();
  });

  it("an expired token signs the person out", async () => {
    sessionStorage.setItem(
      "airloom.studio.session",
      JSON.stringify({ token: "old", username: "ann", tenant: "acme", role: "viewer", expiresAt: Date.now() + 60_000 }),
    );
    const { fetch } = answering({
      "graphql StudioWorkflows": () =>
        json({ data: null, errors: [{ message: "the token has expired", extensions: { code: "UNAUTHENTICATED" } }] }),
    });
    const router = renderStudio("/workflows", fetch);
    expect(await screen.findByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/signin");
    expect(sessionStorage.length).toBe(0);
  });

  it("sign-out forgets the token", async () => {
    const router = renderStudio("/workflows", signedInAs("admin").fetch);
    await userEvent.setup().click(await screen.findByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/signin"));
    expect(sessionStorage.length).toBe(0);
  });
});
