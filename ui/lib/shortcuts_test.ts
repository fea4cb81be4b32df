import assert from "node:assert/strict";
import { type KeyLike, shortcutFor, type ShortcutState } from "./shortcuts.ts";

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});
const idle: ShortcutState = { drawerOpen: false, streaming: false, typing: false };

Deno.test("Escape closes the drawer first, then stops the answer being written", () => {
  assert.equal(
    shortcutFor(key("Escape"), { ...idle, drawerOpen: true, streaming: true }),
    "close-drawer",
  );
  assert.equal(shortcutFor(key("Escape"), { ...idle, streaming: true }), "stop-answer");
  assert.equal(shortcutFor(key("Escape"), idle), null, "nothing to stop or close");
  assert.equal(
    shortcutFor(key("Escape", { defaultPrevented: true }), { ...idle, streaming: true }),
    null,
    "a field that used Escape (cancel a rename) keeps it",
  );
  assert.equal(
    shortcutFor(key("Escape", { isComposing: true }), { ...idle, streaming: true }),
    null,
  );
});

Deno.test("Ctrl+Shift+O or ⌘⇧O starts a new chat, even while typing", () => {
  assert.equal(shortcutFor(key("O", { ctrlKey: true, shiftKey: true }), idle), "new-chat");
  assert.equal(
    shortcutFor(key("o", { metaKey: true, shiftKey: true }), { ...idle, typing: true }),
    "new-chat",
  );
  assert.equal(shortcutFor(key("o", { ctrlKey: true }), idle), null, "Ctrl+O stays the browser's");
});

Deno.test("Shift+Escape, or / outside a text field, goes to the message box", () => {
  assert.equal(shortcutFor(key("Escape", { shiftKey: true }), idle), "focus-message");
  assert.equal(shortcutFor(key("/"), idle), "focus-message");
  assert.equal(shortcutFor(key("/"), { ...idle, typing: true }), null, "a slash typed in a field");
  assert.equal(shortcutFor(key("/", { ctrlKey: true }), idle), null);
  assert.equal(shortcutFor(key("a"), idle), null);
});
