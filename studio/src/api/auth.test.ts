import { describe, expect, it } from "vitest";

import { answering, json, LOGIN_OK } from "../test/answers";
import { sessionStore, signIn, whoIs } from "./auth";
import { ApiError } from "./http";

describe("signIn", () => {
  it("posts the credentials to /auth/login and returns the session with its expiry", async () => {
    const { fetch, requests } = answering({ "POST /auth/login": () => json(LOGIN_OK) });
    const session = await signIn("ann", "secret-pass", fetch, () => 1_000);
    expect(requests[0].body).toEqual({ username: "ann", password: "secret-pass" });
    expect(requests[0].headers.get("content-type")).toBe("application/json");
    expect(session).toEqual({
      token: "header.payload.signature",
      username: "ann",
      tenant: "acme",
      role: "editor",
      expiresAt: 1_000 + 3_600_000,
    });
  });

  it("throws the service's 401 message", async () => {
    const { fetch } = answering({
      "POST /auth/login": () => json({ detail: "wrong user name or password" }, 401),
    });
    const failure = await signIn("ann", "nope", fetch).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).message).toBe("wrong user name or password");
    expect((failure as ApiError).unauthenticated).toBe(true);
  });

  it("names the field of a validation error", async () => {
    const { fetch } = answering({
      "POST /auth/login": () =>
        json({ detail: [{ loc: ["body", "username"], msg: "Field required" }] }, 422),
    });
    await expect(signIn("", "x", fetch)).rejects.toThrow("username: Field required");
  });

  it("refuses a role Studio does not know", async () => {
    const { fetch } = answering({ "POST /auth/login": () => json({ ...LOGIN_OK, role: "root" }) });
    await expect(signIn("ann", "pw", fetch)).rejects.toThrow('unknown role "root"');
  });
});

describe("whoIs", () => {
  const me = { username: "ola", tenant: "acme", role: "viewer", expires_at: 1_700_000_000 };

  it("asks the builder whom an ID token speaks for and keeps it as the session", async () => {
    const { fetch, requests } = answering({ "GET /auth/me": () => json(me) });
    await expect(whoIs("eyJ.id.token", fetch)).resolves.toEqual({
      token: "eyJ.id.token",
      username: "ola",
      tenant: "acme",
      role: "viewer",
      expiresAt: 1_700_000_000_000,
    });
    expect(requests[0].headers.get("authorization")).toBe("Bearer eyJ.id.token");
  });

  it("throws the builder's reason for refusing the token", async () => {
    const { fetch } = answering({
      "GET /auth/me": () => json({ detail: "the token carries no tenant (claim 'custom:tenant')" }, 401),
    });
    await expect(whoIs("eyJ.id.token", fetch)).rejects.toThrow("the token carries no tenant");
  });

  it("refuses an answer without an expiry (an API token is no sign-in)", async () => {
    const { fetch } = answering({ "GET /auth/me": () => json({ ...me, expires_at: null }) });
    await expect(whoIs("api-token", fetch)).rejects.toThrow("did not say when the token expires");
  });
});

describe("sessionStore", () => {
  const session = { token: "t", username: "ann", tenant: "acme", role: "viewer" as const, expiresAt: 5_000 };

  it("keeps the session in sessionStorage until it expires", () => {
    sessionStore.save(session);
    expect(JSON.parse(sessionStorage.getItem("airloom.studio.session")!)).toEqual(session);
    expect(sessionStore.load(sessionStorage, () => 4_999)).toEqual(session);
    expect(sessionStore.load(sessionStorage, () => 5_000)).toBeNull();
    expect(sessionStorage.getItem("airloom.studio.session")).toBeNull();
  });

  it("forgets the OIDC client's user and pending sign-ins on sign-out, nothing else", () => {
    sessionStore.save(session);
    sessionStorage.setItem("airloom.studio.oidc.user:https://idp:app", "{}");
    sessionStorage.setItem("airloom.studio.oidc.3f2a", "{}");
    sessionStorage.setItem("another.app", "kept");
    sessionStore.clear();
    expect(Object.keys(sessionStorage)).toEqual(["another.app"]);
  });

  it("treats unreadable storage as signed out", () => {
    sessionStorage.setItem("airloom.studio.session", "{not json");
    expect(sessionStore.load()).toBeNull();
  });
});
