/**
 * The editor's history: every spec state, so undo and redo are moving between them. Saved is
 * the state last saved (or loaded); the design has unsaved changes when present is not it.
 */

import type { WorkflowSpec } from "../api/workflows";

export interface History {
  past: WorkflowSpec[];
  present: WorkflowSpec;
  future: WorkflowSpec[];
  saved: WorkflowSpec;
  /** What the last edit was (e.g. one node's params): a run of such edits is one undo step. */
  lastKey?: string;
}

export type HistoryAction =
  /** `key` merges the edit into the previous one with the same key (typing in a field). */
  | { kind: "edit"; spec: WorkflowSpec; key?: string }
  | { kind: "undo" }
  | { kind: "redo" }
  /** A version from the builder replaces everything, history included. */
  | { kind: "load"; spec: WorkflowSpec }
  /** What was just saved is the new reference for unsaved changes. */
  | { kind: "saved"; spec: WorkflowSpec };

/** Enough to undo a session's work without keeping every state of a long one. */
export const HISTORY_LIMIT = 100;

export function startHistory(spec: WorkflowSpec): History {
  return { past: [], present: spec, future: [], saved: spec };
}

export function historyReducer(history: History, action: HistoryAction): History {
  switch (action.kind) {
    case "edit":
      if (action.spec === history.present) return history;
      if (action.key !== undefined && action.key === history.lastKey && history.future.length === 0) {
        return { ...history, present: action.spec };
      }
      return {
        ...history,
        past: [...history.past, history.present].slice(-HISTORY_LIMIT),
        present: action.spec,
        future: [],
        lastKey: action.key,
      };
    case "undo": {
      const previous = history.past.at(-1);
      if (!previous) return history;
      return {
        past: history.past.slice(0, -1),
        present: previous,
        future: [history.present, ...history.future],
        saved: history.saved,
      };
    }
    case "redo": {
      const [next, ...rest] = history.future;
      if (!next) return history;
      return { past: [...history.past, history.present], present: next, future: rest, saved: history.saved };
    }
    case "load":
      return startHistory(action.spec);
    case "saved":
      // The saved spec is the present one (same object), so undo still works after saving;
      // typing on after a save starts a new undo step.
      return { ...history, saved: action.spec, lastKey: undefined };
  }
}

export function isDirty(history: History): boolean {
  return history.present !== history.saved;
}
