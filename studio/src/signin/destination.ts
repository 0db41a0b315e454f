/** Where to go after signing in: back where the person was sent from, else the workflows. */
export function destination(state: unknown): string {
  const from = (state as { from?: unknown } | null | undefined)?.from;
  // A path of Studio's own only ("//host" would leave the origin).
  const ours = typeof from === "string" && from.startsWith("/") && !from.startsWith("//");
  return ours && !from.startsWith("/signin") ? from : "/workflows";
}
