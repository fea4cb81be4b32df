import { useRef, useState } from "preact/hooks";
import { exportUrl } from "../api/archive.ts";
import { type ConversationEntry, listTime } from "../lib/conversation_groups.ts";
import { plainPreview } from "../lib/plain_text.ts";
import { conversations, minute, view } from "../models/app.ts";
import { DownloadIcon, EditIcon, MoreIcon, TrashIcon } from "./icons.tsx";
import { RenameInput } from "./RenameInput.tsx";
import { useMenuKeys } from "./menu_keys.ts";
import { useDismiss } from "./use_dismiss.ts";

/** Room the menu needs below its button; with less, it opens upwards. */
const MENU_HEIGHT = 200;

type MenuPlace = { top?: number; bottom?: number; right: number };

/**
 * Where the menu goes: fixed beside its button, so the scrolling list does not clip it. The
 * sidebar (a glass panel, and a moving drawer on a phone) is what "fixed" is relative to.
 */
function menuPlace(button: HTMLElement): MenuPlace {
  const box = button.getBoundingClientRect();
  const panel = button.closest(".sidebar")?.getBoundingClientRect() ??
    new DOMRect(0, 0, innerWidth, innerHeight);
  const right = panel.right - box.right;
  return box.bottom + MENU_HEIGHT < panel.bottom
    ? { top: box.bottom - panel.top + 4, right }
    : { bottom: panel.bottom - box.top + 4, right };
}

/** A press this long on a touch screen opens the conversation's menu instead of opening it. */
const LONG_PRESS_MS = 500;

/**
 * One conversation of the sidebar: title, time of last activity, preview, a "writing…" mark
 * while its answer streams, and its actions (rename, download, delete) behind a button that
 * shows on hover or focus on a desktop and always on a touch screen, or by a long press.
 */
export function ConversationItem({ entry }: { entry: ConversationEntry }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const [place, setPlace] = useState<MenuPlace>({ right: 0 });
  const actions = useRef<HTMLButtonElement>(null);
  const [renaming, setRenaming] = useState(false);
  const root = useRef<HTMLLIElement>(null);
  const pressTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const longPressed = useRef(false);
  const menu = useRef<HTMLDivElement>(null);
  useDismiss(menuOpen, root, () => setMenuOpen(false));
  const onMenuKey = useMenuKeys(menuOpen, menu, actions, () => setMenuOpen(false));

  const active = conversations.currentId.value === entry.id && view.route.value.view === "chat";
  const writing = conversations.writingIds.value.has(entry.id);
  const title = entry.title || "Untitled";
  const canEdit = entry.receivedFrom === null && !entry.readOnly;
  const cancelPress = () => {
    if (pressTimer.current !== null) clearTimeout(pressTimer.current);
    pressTimer.current = null;
  };

  if (renaming) {
    return (
      <li class="conversation-item renaming" ref={root}>
        <RenameInput
          id={entry.id}
          title={entry.title}
          label={`New title for ${title}`}
          class="title-input list-rename"
          onDone={() => setRenaming(false)}
        />
      </li>
    );
  }
  return (
    <li class={`conversation-item${menuOpen ? " menu-open" : ""}`} ref={root}>
      <a
        href={`/c/${encodeURIComponent(entry.id)}`}
        class={active ? "conversation-link active" : "conversation-link"}
        aria-current={active ? "page" : undefined}
        data-testid="conversation-link"
        onPointerDown={(event) => {
          if (event.pointerType !== "touch") return;
          longPressed.current = false;
          pressTimer.current = setTimeout(() => {
            longPressed.current = true;
            if (actions.current) setPlace(menuPlace(actions.current));
            setMenuOpen(true);
          }, LONG_PRESS_MS);
        }}
        onPointerUp={cancelPress}
        onPointerLeave={cancelPress}
        onPointerCancel={cancelPress}
        onContextMenu={(event) => {
          // A long press on a phone also asks for the browser's context menu: ours replaces it.
          if (longPressed.current) event.preventDefault();
        }}
        onClick={(event) => {
          if (longPressed.current) {
            event.preventDefault();
            longPressed.current = false;
            return;
          }
          if (event.metaKey || event.ctrlKey || event.shiftKey) return;
          event.preventDefault();
          view.navigate({ view: "chat", conversationId: entry.id });
        }}
      >
        <span class="conversation-line">
          <span class="conversation-title">{title}</span>
          {entry.forkedFrom && <span class="copied-from">from {entry.forkedFrom.nodeName}</span>}
          <time class="conversation-time" dateTime={entry.updatedAt}>
            {listTime(entry.updatedAt, new Date(minute.value))}
          </time>
        </span>
        {writing
          ? <span class="conversation-writing" data-testid="writing-mark">writing…</span>
          : entry.preview && <span class="conversation-preview">{plainPreview(entry.preview)}
          </span>}
      </a>
      <button
        ref={actions}
        type="button"
        class="icon-button conversation-actions"
        aria-label={`Actions for ${title}`}
        aria-haspopup="menu"
        aria-expanded={menuOpen}
        onClick={(event) => {
          setPlace(menuPlace(event.currentTarget));
          setMenuOpen(!menuOpen);
        }}
      >
        <MoreIcon size={16} />
      </button>
      {menuOpen && (
        <div
          ref={menu}
          class="popover menu conversation-menu"
          role="menu"
          onKeyDown={onMenuKey}
          aria-label={`Actions for ${title}`}
          style={{
            top: place.top === undefined ? "auto" : `${place.top}px`,
            bottom: place.bottom === undefined ? "auto" : `${place.bottom}px`,
            right: `${place.right}px`,
          }}
        >
          {canEdit && (
            <button
              type="button"
              role="menuitem"
              onClick={() => {
                setMenuOpen(false);
                setRenaming(true);
              }}
            >
              <EditIcon size={16} /> Rename
            </button>
          )}
          <a role="menuitem" href={exportUrl(entry.id, "json")} download>
            <DownloadIcon size={16} /> Download (NeuroMesh file)
          </a>
          <a role="menuitem" href={exportUrl(entry.id, "markdown")} download>
            <DownloadIcon size={16} /> Download (Markdown)
          </a>
          <button
            type="button"
            role="menuitem"
            class="danger"
            onClick={() => {
              setMenuOpen(false);
              const where = canEdit ? "everywhere it was shared" : "from this device";
              if (confirm(`Delete “${title}” ${where}? This cannot be undone.`)) {
                void conversations.remove(entry.id);
              }
            }}
          >
            <TrashIcon size={16} /> Delete
          </button>
        </div>
      )}
    </li>
  );
}
