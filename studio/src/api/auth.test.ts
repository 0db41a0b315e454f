import { describe, expect, it } from "vitest";

import { answering, json, LOGIN_OK } from "../test/answers";
import { sessionStore, signIn } from "./auth";
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

describe("sessionStore", () => {
  const session = { token: "t", username: "ann", tenant: "acme", role: "viewer" as const, expiresAt: 5_000 };

  it("keeps the session in sessionStorage until it expires", () => {
    sessionStore.save(session);
    expect(JSON.parse(sessionStorage.getItem("airloom.studio.session")!)).toEqual(session);
    expect(sessionStore.load(sessionStorage, () => 4_999)).toEqual(session);
    expect(sessionStore.load(sessionStorage, () => 5_000)).toBeNull();
    expect(sessionStorage.getItem("airloom.studio.session")).toBeNull();
  });

  it("treats unreadable storage as signed out", () => {
    sessionStorage.setItem("airloom.studio.session", "{not json");
    expect(sessionStore.load()).toBeNull();
  });
});
