/**
 * Single sign-on as a person meets it: the sign-in page's choices, the trip to the provider
 * and back through the real oidc-client-ts (a fake provider answers its discovery and token
 * requests), and what the sign-in page says when it fails.
 */

import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { StrictMode } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { StudioConfig } from "../api/config";
import type { Fetch } from "../api/http";
import { routes } from "../routes";
import { StudioProvider } from "../session/StudioContext";
import { answering, CONFIG, json, WORKFLOWS_PAGE, type Answer } from "../test/answers";
import { browser } from "./oidc";
import { fakeProvider, OIDC } from "./testProvider";

function renderWith(signIn: StudioConfig["signIn"], path: string, fetch: Fetch) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  // StrictMode as in main.tsx: effects run twice, and a code must still be exchanged once.
  render(
    <StrictMode>
      <StudioProvider config={{ ...CONFIG, signIn }} fetch={fetch} graphqlOptions={{ subscriptions: false }}>
        <RouterProvider router={router} />
      </StudioProvider>
    </StrictMode>,
  );
  return router;
}

const ME = { username: "ola", tenant: "acme", role: "editor", expires_at: 4_102_444_800 };

let provider: ReturnType<typeof fakeProvider>;
let sentTo: URL[];

beforeEach(() => {
  provider = fakeProvider();
  sentTo = [];
  vi.spyOn(browser, "assign").mockImplementation((url) => void sentTo.push(new URL(url)));
  // oidc-client-ts calls the page's fetch for the provider's discovery and token endpoints.
  vi.stubGlobal("fetch", provider.fetch);
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  localStorage.clear();
});

/** Studio's own API, answered as the builder would. */
function builder(me: Answer = () => json(ME)) {
  return answering({ "GET /auth/me": me, "graphql StudioWorkflows": () => json(WORKFLOWS_PAGE) });
}

async function pressSingleSignOn(): Promise<URL> {
  await userEvent.setup().click(await screen.findByRole("button", { name: "Sign in with single sign-on" }));
  await waitFor(() => expect(sentTo).toHaveLength(1));
  cleanup(); // the browser leaves Studio for the provider's page
  return sentTo[0];
}

describe("the sign-in page offers what the builder has", () => {
  it("a password only", async () => {
    renderWith({ password: true, oidc: null }, "/signin", builder().fetch);
    expect(await screen.findByLabelText("User name")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Sign in with single sign-on" })).not.toBeInTheDocument();
  });

  it("single sign-on only", async () => {
    renderWith({ password: false, oidc: OIDC }, "/signin", builder().fetch);
    expect(await screen.findByRole("button", { name: "Sign in with single sign-on" })).toBeEnabled();
    expect(screen.queryByLabelText("User name")).not.toBeInTheDocument();
  });

  it("both", async () => {
    renderWith({ password: true, oidc: OIDC }, "/signin", builder().fetch);
    expect(await screen.findByRole("button", { name: "Sign in with single sign-on" })).toBeInTheDocument();
    expect(screen.getByRole("form", { name: "Airloom account" })).toBeInTheDocument();
  });
});

describe("single sign-on", () => {
  it("goes to the provider with PKCE and comes back signed in where the person was going", async () => {
    const { fetch, requests } = builder();
    renderWith({ password: true, oidc: OIDC }, "/workflows?search=churn", fetch);
    const authorize = await pressSingleSignOn();

    expect(`${authorize.origin}${authorize.pathname}`).toBe(provider.authorizationEndpoint);
    const asked = Object.fromEntries(authorize.searchParams);
    expect(asked).toMatchObject({
      client_id: OIDC.clientId,
      redirect_uri: "http://localhost:3000/studio/signin/callback",
      response_type: "code",
      scope: OIDC.scope,
      code_challenge_method: "S256",
    });
    // The pending sign-in (PKCE verifier included) stays in this tab only.
    expect(Object.keys(sessionStorage).some((key) => key.startsWith("airloom.studio.oidc."))).toBe(true);
    expect(localStorage.length).toBe(0);

    const router = renderWith(
      { password: true, oidc: OIDC },
      `/signin/callback?code=${provider.issueCode(asked)}&state=${asked.state}`,
      fetch,
    );
    expect(await screen.findByLabelText("Signed in as")).toHaveTextContent("ola");
    expect(router.state.location.pathname + router.state.location.search).toBe("/workflows?search=churn");
    expect(provider.tokenRequests).toHaveLength(1);
    const me = requests.find((request) => request.url.pathname === "/auth/me")!;
    expect(me.headers.get("authorization")).toBe(`Bearer ${provider.idToken}`);
    expect(JSON.parse(sessionStorage.getItem("airloom.studio.session")!).token).toBe(provider.idToken);

    await userEvent.setup().click(screen.getByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/signin"));
    expect(sessionStorage.length).toBe(0);
  });

  it("says so when the provider refuses, and offers to try again", async () => {
    renderWith({ password: false, oidc: OIDC }, "/signin", builder().fetch);
    const { state } = Object.fromEntries((await pressSingleSignOn()).searchParams);
    renderWith(
      { password: false, oidc: OIDC },
      `/signin/callback?error=access_denied&error_description=User+cancelled&state=${state}`,
      builder().fetch,
    );
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The identity provider did not sign you in: access denied (User cancelled). You can try again.",
    );
    expect(screen.getByRole("button", { name: "Sign in with single sign-on" })).toBeEnabled();
    expect(sessionStorage.getItem("airloom.studio.session")).toBeNull();
  });

  it("says so when the provider cannot be reached, and stays on the page", async () => {
    vi.stubGlobal("fetch", async () => Response.json({ message: "down" }, { status: 503 }));
    renderWith({ password: true, oidc: OIDC }, "/signin", builder().fetch);
    await userEvent.setup().click(await screen.findByRole("button", { name: "Sign in with single sign-on" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Single sign-on could not start:");
    expect(screen.getByRole("button", { name: "Sign in with single sign-on" })).toBeEnabled();
    expect(sentTo).toHaveLength(0);
  });

  it("a callback on a builder without single sign-on says so", async () => {
    renderWith({ password: true, oidc: null }, "/signin/callback?code=c&state=s", builder().fetch);
    expect(await screen.findByRole("alert")).toHaveTextContent("Single sign-on is not set up on this Airloom.");
  });

  it("refuses an answer to a sign-in this tab did not start", async () => {
    const router = renderWith({ password: true, oidc: OIDC }, "/signin/callback?code=stolen&state=not-ours", builder().fetch);
    expect(await screen.findByRole("alert")).toHaveTextContent("This sign-in was not started in this tab");
    expect(router.state.location.pathname).toBe("/signin");
    expect(provider.tokenRequests).toHaveLength(0);
  });

  it("shows the builder's reason when it refuses the provider's token, keeping nobody signed in", async () => {
    const refusal = "the token carries no tenant (claim 'custom:tenant')";
    const { fetch } = builder(() => json({ detail: refusal }, 401));
    renderWith({ password: false, oidc: OIDC }, "/signin", fetch);
    const asked = Object.fromEntries((await pressSingleSignOn()).searchParams);
    renderWith(
      { password: false, oidc: OIDC },
      `/signin/callback?code=${provider.issueCode(asked)}&state=${asked.state}`,
      fetch,
    );
    expect(await screen.findByRole("alert")).toHaveTextContent(`Airloom refused the identity provider's token: ${refusal}.`);
    expect(Object.keys(sessionStorage)).toEqual([]);
  });
});
