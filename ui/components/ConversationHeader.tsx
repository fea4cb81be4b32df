import { useEffect, useRef, useState } from "preact/hooks";
import { conversations } from "../models/app.ts";
import { EditIcon, MoreIcon, SettingsIcon, ShareIcon, TrashIcon } from "./icons.tsx";
import { ChatSettingsDialog } from "./ChatSettingsDialog.tsx";
import { RenameInput } from "./RenameInput.tsx";
import { TopBar } from "./TopBar.tsx";
import { useDismiss } from "./use_dismiss.ts";
import { ModelPicker } from "./ModelPicker.tsx";

/** Top bar of the chat: drawer button, title (rename), model picker and the conversation menu. */
export function ConversationHeader() {
  const [editing, setEditing] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const conversation = conversations.current.value;
  const readOnly = conversations.currentReadOnly.value;

  useDismiss(menuOpen, menu, () => setMenuOpen(false));
  useEffect(() => {
    setEditing(false);
    setSettingsOpen(false);
  }, [conversation?.id]);
  const copiedFrom = conversation?.thread?.forkedFrom;

  return (
    <>
      <TopBar>
        <div class="topbar-title">
          {conversation && editing
            ? (
              <RenameInput
                id={conversation.id}
                title={conversation.title}
                label="Conversation title"
                testId="title-input"
                onDone={() => setEditing(false)}
              />
            )
            : (
              <h1 title={conversation?.title} data-testid="conversation-title">
                {conversation?.title || "New chat"}
                {copiedFrom && (
                  <span
                    class="copied-from"
                    title={`A copy made with Continue here of ${copiedFrom.nodeName}'s conversation`}
                  >
                    from {copiedFrom.nodeName}
                  </span>
                )}
              </h1>
            )}
        </div>
        {!readOnly && (
          <ModelPicker
            chosen={conversations.askModel.value}
            onPick={(name) => void conversations.pickModel(name)}
          />
        )}
        {conversation && !readOnly && (
          <div class="menu-anchor" ref={menu}>
            <button
              type="button"
              class="icon-button"
              aria-label="Conversation actions"
              aria-haspopup="menu"
              aria-expanded={menuOpen}
              data-testid="conversation-menu"
              onClick={() => setMenuOpen(!menuOpen)}
            >
              <MoreIcon size={20} />
            </button>
            {menuOpen && (
              <div class="popover menu" role="menu">
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    setMenuOpen(false);
                    setEditing(true);
                  }}
                >
                  <EditIcon size={16} /> Rename
                </button>
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    setMenuOpen(false);
                    setSettingsOpen(true);
                  }}
                >
                  <SettingsIcon size={16} /> Chat settings
                </button>
                <button
                  type="button"
                  role="menuitemcheckbox"
                  aria-checked={conversation.shared}
                  onClick={() => {
                    setMenuOpen(false);
                    void conversations.setShared(conversation.id, !conversation.shared);
                  }}
                >
                  <ShareIcon size={16} />{" "}
                  {conversation.shared ? "Stop sharing with peers" : "Share with peers"}
                </button>
                <button
                  type="button"
                  role="menuitem"
                  class="danger"
                  data-testid="delete-conversation"
                  onClick={() => {
                    setMenuOpen(false);
                    if (confirm(`Delete “${conversation.title}”? This cannot be undone.`)) {
                      void conversations.remove(conversation.id);
                    }
                  }}
                >
                  <TrashIcon size={16} /> Delete
                </button>
              </div>
            )}
          </div>
        )}
      </TopBar>
      {/* Outside the top bar, whose blur would make it the dialog's containing block. */}
      {settingsOpen && <ChatSettingsDialog onClose={() => setSettingsOpen(false)} />}
    </>
  );
}
