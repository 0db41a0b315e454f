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
}

export type HistoryAction =
  | { kind: "edit"; spec: WorkflowSpec }
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
      return {
        ...history,
        past: [...history.past, history.present].slice(-HISTORY_LIMIT),
        present: action.spec,
        future: [],
      };
    case "undo": {
      const previous = history.past.at(-1);
      if (!previous) return history;
      return { ...history, past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
    }
    case "redo": {
      const [next, ...rest] = history.future;
      if (!next) return history;
      return { ...history, past: [...history.past, history.present], present: next, future: rest };
    }
    case "load":
      return startHistory(action.spec);
    case "saved":
      // The saved spec is the present one (same object), so undo still works after saving.
      return { ...history, saved: action.spec };
  }
}

export function isDirty(history: History): boolean {
  return history.present !== history.saved;
}
