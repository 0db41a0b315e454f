/**
 * The editor tells its nodes which wirings the builder accepts, so a node can mark its handles
 * while a connection is being dragged. Without it (read-only views) handles stay as they are.
 */

import { createContext, useContext } from "react";

import type { Wiring } from "./ports";

export type WiringCheck = (wiring: Wiring) => boolean;

export const PortRules = createContext<WiringCheck | null>(null);

export function usePortRules(): WiringCheck | null {
  return useContext(PortRules);
}
