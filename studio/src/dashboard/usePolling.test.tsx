import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, expect, it } from "vitest";

import { StudioProvider } from "../session/StudioContext";
import { CONFIG } from "../test/answers";
import { usePolling } from "./usePolling";

function wrapper({ children }: { children: ReactNode }) {
  return <StudioProvider config={CONFIG}>{children}</StudioProvider>;
}

function hidden(value: boolean) {
  Object.defineProperty(document, "hidden", { configurable: true, get: () => value });
}

afterEach(() => hidden(false));

it("asks again every few seconds and keeps the last figures while it does", async () => {
  let asked = 0;
  const seen: (number | undefined)[] = [];
  const { result, unmount } = renderHook(
    () => {
      const polled = usePolling(async () => ++asked, [], 20);
      seen.push(polled.data);
      return polled;
    },
    { wrapper },
  );
  await waitFor(() => expect(result.current.data).toBeGreaterThanOrEqual(3));
  unmount();
  // Once there were figures, no render went back to nothing (no loading flash between polls).
  const first = seen.findIndex((value) => value !== undefined);
  expect(seen.slice(first).every((value) => value !== undefined)).toBe(true);
});

it("keeps the last figures and says why when a poll fails", async () => {
  let asked = 0;
  const { result, unmount } = renderHook(
    () =>
      usePolling(async () => {
        asked += 1;
        if (asked > 1) throw new Error("the lake cannot be read");
        return "figures";
      }, [], 20),
    { wrapper },
  );
  await waitFor(() => expect(result.current.error).toBe("the lake cannot be read"));
  expect(result.current.data).toBe("figures");
  unmount();
});

it("asks nothing while the tab is hidden and catches up when it is shown", async () => {
  hidden(true);
  let asked = 0;
  const { result, unmount } = renderHook(() => usePolling(async () => ++asked, [], 20), { wrapper });
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(asked).toBe(0);
  hidden(false);
  act(() => {
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await waitFor(() => expect(result.current.data).toBeGreaterThanOrEqual(1));
  unmount();
});
