import { describe, expect, it } from "vitest";

import { HISTORY_LIMIT, historyReducer, isDirty, startHistory } from "./editorState";

const a = { nodes: [] };
const b = { nodes: [{ id: "b", type: "t" }] };
const c = { nodes: [{ id: "c", type: "t" }] };

describe("editor history", () => {
  it("undoes and redoes edits, and a new edit drops what could be redone", () => {
    let history = startHistory(a);
    history = historyReducer(history, { kind: "edit", spec: b });
    history = historyReducer(history, { kind: "edit", spec: c });
    history = historyReducer(history, { kind: "undo" });
    expect(history.present).toBe(b);
    history = historyReducer(history, { kind: "redo" });
    expect(history.present).toBe(c);
    history = historyReducer(history, { kind: "undo" });
    history = historyReducer(history, { kind: "edit", spec: a });
    expect(history.future).toEqual([]);
    expect(historyReducer(startHistory(a), { kind: "undo" }).present).toBe(a);
  });

  it("has unsaved changes until saved, and none again after undoing back to the saved state", () => {
    let history = startHistory(a);
    expect(isDirty(history)).toBe(false);
    history = historyReducer(history, { kind: "edit", spec: b });
    expect(isDirty(history)).toBe(true);
    history = historyReducer(history, { kind: "undo" });
    expect(isDirty(history)).toBe(false);
    history = historyReducer(history, { kind: "redo" });
    history = historyReducer(history, { kind: "saved", spec: b });
    expect(isDirty(history)).toBe(false);
    expect(history.past).toEqual([a]);
  });

  it("makes a run of edits with one key (typing in a field) one undo step", () => {
    let history = startHistory(a);
    history = historyReducer(history, { kind: "edit", spec: b, key: "params:x" });
    history = historyReducer(history, { kind: "edit", spec: c, key: "params:x" });
    expect(history.past).toEqual([a]);
    history = historyReducer(history, { kind: "edit", spec: b, key: "params:y" });
    expect(history.past).toEqual([a, c]);
    history = historyReducer(history, { kind: "undo" });
    history = historyReducer(history, { kind: "edit", spec: a, key: "params:y" });
    expect(history.past).toEqual([a, c]);
    expect(history.present).toBe(a);
  });

  it("keeps a bounded history, and a load starts afresh", () => {
    let history = startHistory(a);
    for (let i = 0; i < HISTORY_LIMIT + 10; i += 1) history = historyReducer(history, { kind: "edit", spec: { nodes: [], i } });
    expect(history.past).toHaveLength(HISTORY_LIMIT);
    history = historyReducer(history, { kind: "load", spec: c });
    expect(history).toEqual({ past: [], present: c, future: [], saved: c });
  });
});
