import { describe, expect, it } from "vitest";

import { answering, CONFIG, json } from "../test/answers";
import { CONFIG_PATH, loadConfig, signInOptions, websocketUrl } from "./config";

describe("loadConfig", () => {
  it("reads /studio/config.json", async () => {
    const { fetch, requests } = answering({ "GET /studio/config.json": () => json(CONFIG) });
    expect(CONFIG_PATH).toBe("/studio/config.json");
    await expect(loadConfig(fetch)).resolves.toEqual(CONFIG);
    expect(requests).toHaveLength(1);
  });

  it("reads an older builder's config (no insightsUrl) as no insights service", async () => {
    const { insightsUrl: _, ...older } = CONFIG;
    const { fetch } = answering({ "GET /studio/config.json": () => json(older) });
    expect((await loadConfig(fetch)).insightsUrl).toBeNull();
  });

  it("names a missing URL", async () => {
    const { fetch } = answering({
      "GET /studio/config.json": () => json({ ...CONFIG, marketplaceUrl: "" }),
    });
    await expect(loadConfig(fetch)).rejects.toThrow("/studio/config.json has no marketplaceUrl");
  });
});

describe("signInOptions", () => {
  const oidc = { authority: "https://cognito-idp.eu-west-1.amazonaws.com/pool", clientId: "app", scope: "openid" };

  it("takes what the builder offers: password, single sign-on or both", () => {
    expect(signInOptions({ password: true, oidc: null })).toEqual({ password: true, oidc: null });
    expect(signInOptions({ password: false, oidc })).toEqual({ password: false, oidc });
    expect(signInOptions({ password: true, oidc })).toEqual({ password: true, oidc });
  });

  it("reads an older builder's config (no signIn) as password only", async () => {
    const { signIn: _, ...older } = CONFIG;
    const { fetch } = answering({ "GET /studio/config.json": () => json(older) });
    expect((await loadConfig(fetch)).signIn).toEqual({ password: true, oidc: null });
  });

  it("names what is wrong with a broken signIn", () => {
    expect(() => signInOptions({ oidc })).toThrow("/studio/config.json has no signIn.password");
    expect(() => signInOptions({ password: true, oidc: { ...oidc, clientId: "" } })).toThrow(
      "has no signIn.oidc.clientId",
    );
    expect(() => signInOptions({ password: false, oidc: null })).toThrow("has no way to sign in");
  });
});

describe("websocketUrl", () => {
  it("turns a path into a ws URL on the page's origin", () => {
    expect(websocketUrl("/graphql", "http://127.0.0.1:8001/studio/")).toBe("ws://127.0.0.1:8001/graphql");
    expect(websocketUrl("/graphql", "https://studio.example.com/studio/x")).toBe(
      "wss://studio.example.com/graphql",
    );
  });
});
