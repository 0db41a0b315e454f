/** Where Studio finds the other services: /studio/config.json, served by the builder. */

import { studioBase } from "./basePath";
import { requestJson, type Fetch } from "./http";

export interface StudioConfig {
  graphqlUrl: string;
  graphqlWsUrl: string;
  marketplaceUrl: string;
  airflowUrl: string;
}

export const CONFIG_PATH = `${studioBase()}config.json`;

export async function loadConfig(fetchImpl: Fetch = fetch): Promise<StudioConfig> {
  const config = await requestJson<Partial<StudioConfig>>(fetchImpl, CONFIG_PATH);
  for (const key of ["graphqlUrl", "graphqlWsUrl", "marketplaceUrl", "airflowUrl"] as const) {
    if (typeof config[key] !== "string" || config[key] === "") {
      throw new Error(`${CONFIG_PATH} has no ${key}: the builder serving Studio is misconfigured`);
    }
  }
  return config as StudioConfig;
}

/** A websocket URL for a path or http(s) URL, relative to the page's own origin. */
export function websocketUrl(url: string, base: string = window.location.href): string {
  const resolved = new URL(url, base);
  resolved.protocol = resolved.protocol === "https:" ? "wss:" : "ws:";
  return resolved.toString();
}
