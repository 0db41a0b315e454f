import { ErrorResponse } from "oidc-client-ts";
import { describe, expect, it } from "vitest";

import { ApiError } from "../api/http";
import { destination } from "./destination";
import { ssoFailure } from "./ssoFailure";

describe("ssoFailure", () => {
  it("says the provider refused, with its reason", () => {
    const denied = new ErrorResponse({ error: "access_denied", error_description: "User cancelled" });
    expect(ssoFailure(denied)).toBe("The identity provider did not sign you in: access denied (User cancelled).");
    expect(ssoFailure(new ErrorResponse({ error: "invalid_scope" }))).toBe(
      "The identity provider answered with an error: invalid_scope.",
    );
  });

  it("says Airloom refused the token, with the builder's reason", () => {
    const refused = new ApiError("the token carries no tenant (claim 'custom:tenant')", 401);
    expect(ssoFailure(refused)).toBe(
      "Airloom refused the identity provider's token: the token carries no tenant (claim 'custom:tenant').",
    );
  });

  it("says a callback this tab did not start cannot be finished", () => {
    expect(ssoFailure(new Error("No matching state found in storage"))).toBe(
      "This sign-in was not started in this tab, or it was already used.",
    );
  });
});

describe("destination", () => {
  it("goes back to a page of Studio, never to sign-in or another origin", () => {
    expect(destination({ from: "/workflows/wf-7?tab=runs" })).toBe("/workflows/wf-7?tab=runs");
    expect(destination({ from: "/signin/callback" })).toBe("/workflows");
    expect(destination({ from: "//evil.example.com/x" })).toBe("/workflows");
    expect(destination(null)).toBe("/workflows");
  });
});
