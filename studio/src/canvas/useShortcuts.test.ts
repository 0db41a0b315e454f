import { describe, expect, it } from "vitest";

import { shortcutFor } from "./useShortcuts";

const key = (key: string, mods: Partial<Record<"ctrlKey" | "metaKey" | "shiftKey" | "altKey", boolean>> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe("editor shortcuts", () => {
  it("reads Ctrl and Cmd alike", () => {
    expect(shortcutFor(key("z", { ctrlKey: true }))).toBe("undo");
    expect(shortcutFor(key("Z", { metaKey: true, shiftKey: true }))).toBe("redo");
    expect(shortcutFor(key("y", { ctrlKey: true }))).toBe("redo");
    expect(shortcutFor(key("c", { metaKey: true }))).toBe("copy");
    expect(shortcutFor(key("v", { ctrlKey: true }))).toBe("paste");
  });

  it("deletes on Delete and Backspace, and ignores other keys", () => {
    expect(shortcutFor(key("Delete"))).toBe("remove");
    expect(shortcutFor(key("Backspace"))).toBe("remove");
    expect(shortcutFor(key("z"))).toBeNull();
    expect(shortcutFor(key("z", { ctrlKey: true, altKey: true }))).toBeNull();
  });
});
