import { useEffect, useRef, useState } from "preact/hooks";
import { neighbourVersion } from "../lib/versions.ts";
import { ChevronIcon } from "./icons.tsx";

/** "‹ 2/3 ›" under a message that has versions: edited questions or regenerated answers. */
export function VersionSwitcher(
  { id, versions, disabled, onSelect }: {
    id: string;
    versions: readonly string[];
    disabled: boolean;
    onSelect: (id: string) => void;
  },
) {
  const index = versions.indexOf(id);
  const previous = neighbourVersion(versions, id, -1);
  const next = neighbourVersion(versions, id, 1);
  return (
    <span
      class="version-switcher"
      role="group"
      aria-label={`Version ${index + 1} of ${versions.length}`}
    >
      <button
        type="button"
        class="icon-button small"
        aria-label="Previous version"
        title="Previous version"
        disabled={disabled || !previous}
        onClick={() => previous && onSelect(previous)}
      >
        <ChevronIcon size={14} class="turn-left" />
      </button>
      <span class="version-count" aria-hidden="true">
        {index + 1}/{versions.length}
      </span>
      <button
        type="button"
        class="icon-button small"
        aria-label="Next version"
        title="Next version"
        disabled={disabled || !next}
        onClick={() => next && onSelect(next)}
      >
        <ChevronIcon size={14} class="turn-right" />
      </button>
    </span>
  );
}

/** A question being edited in place: "Save & send" makes a new version of it and answers it. */
export function QuestionEditor(
  { text, onSend, onCancel }: {
    text: string;
    onSend: (text: string) => void;
    onCancel: () => void;
  },
) {
  const [value, setValue] = useState(text);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const send = () => {
    if (value.trim()) onSend(value);
  };
  return (
    <form
      class="message question editing"
      aria-label="Edit question"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <textarea
        ref={area}
        class="edit-box"
        rows={Math.min(10, Math.max(2, value.split("\n").length))}
        value={value}
        aria-label="Edited question"
        onInput={(event) => setValue((event.target as HTMLTextAreaElement).value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") onCancel();
          if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
          }
        }}
      />
      <div class="edit-actions">
        <button type="button" class="button small" onClick={onCancel}>Cancel</button>
        <button type="submit" class="button small primary" disabled={!value.trim()}>
          Save &amp; send
        </button>
      </div>
    </form>
  );
}
