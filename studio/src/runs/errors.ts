/** One way to turn a failure into the sentence a person reads. */

import { ApiError } from "../api/http";

export function messageOf(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}

/** An expired or revoked token: the person must sign in again rather than retry. */
export function isSignedOut(failure: unknown): boolean {
  return failure instanceof ApiError && failure.unauthenticated;
}
