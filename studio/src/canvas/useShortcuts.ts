import { useEffect, useRef } from "react";
import { useBlocker } from "react-router";

export interface Shortcuts {
  undo(): void;
  redo(): void;
  copy(): void;
  paste(): void;
  remove(): void;
}

/** Typing in a field keeps the field's own keys (its undo, its Backspace). */
function editable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** Which shortcut a key press means: Ctrl or Cmd with Z, Shift+Z or Y, C, V; Delete, Backspace. */
export function shortcutFor(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey">): keyof Shortcuts | null {
  const key = event.key.toLowerCase();
  if (event.altKey) return null;
  if (event.ctrlKey || event.metaKey) {
    if (key === "z") return event.shiftKey ? "redo" : "undo";
    if (key === "y") return "redo";
    if (key === "c") return "copy";
    if (key === "v") return "paste";
    return null;
  }
  return key === "delete" || key === "backspace" ? "remove" : null;
}

/** The editor's keyboard shortcuts, on the whole page except while typing in a field. */
export function useShortcuts(shortcuts: Shortcuts, enabled: boolean) {
  const latest = useRef(shortcuts);
  latest.current = shortcuts;
  useEffect(() => {
    if (!enabled) return;
    function onKey(event: KeyboardEvent) {
      if (editable(event.target) || (event.target instanceof HTMLElement && event.target.closest("[role=alertdialog]"))) return;
      const action = shortcutFor(event);
      if (!action) return;
      // Copy leaves text a person selected to the browser.
      if (action === "copy" && window.getSelection()?.toString()) return;
      event.preventDefault();
      latest.current[action]();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}

/** Leaving the page with unsaved changes asks first: the browser's own question for a reload,
 * a closed tab or another site; Studio's for its own links (they never unload the page). */
export function useLeaveWarning(dirty: boolean) {
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    if (window.confirm("Leave this workflow? Your unsaved changes will be lost.")) blocker.proceed();
    else blocker.reset();
  }, [blocker]);
  useEffect(() => {
    if (!dirty) return;
    function onBeforeUnload(event: BeforeUnloadEvent) {
      event.preventDefault();
      // Older browsers need a return value to ask at all.
      event.returnValue = "";
    }
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [dirty]);
}
