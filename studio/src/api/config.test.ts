import { describe, expect, it } from "vitest";

import { answering, CONFIG, json } from "../test/answers";
import { CONFIG_PATH, loadConfig, websocketUrl } from "./config";

describe("loadConfig", () => {
  it("reads /studio/config.json", async () => {
    const { fetch, requests } = answering({ "GET /studio/config.json": () => json(CONFIG) });
    expect(CONFIG_PATH).toBe("/studio/config.json");
    await expect(loadConfig(fetch)).resolves.toEqual(CONFIG);
    expect(requests).toHaveLength(1);
  });

  it("names a missing URL", async () => {
    const { fetch } = answering({
      "GET /studio/config.json": () => json({ ...CONFIG, marketplaceUrl: "" }),
    });
    await expect(loadConfig(fetch)).rejects.toThrow("/studio/config.json has no marketplaceUrl");
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
