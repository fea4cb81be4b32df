import { useEffect, useRef, useState } from "preact/hooks";
import { conversations } from "../models/app.ts";

/**
 * A conversation's title being edited in place (the chat's header, the list): Enter or leaving
 * the field renames, Escape gives up.
 */
export function RenameInput(
  { id, title, label, class: className = "title-input", testId, onDone }: {
    id: string;
    title: string;
    /** The field's accessible name. */
    label: string;
    class?: string;
    testId?: string;
    onDone: () => void;
  },
) {
  const [value, setValue] = useState(title);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.select(), []);
  const commit = () => {
    if (value.trim() && value.trim() !== title) void conversations.rename(id, value);
    onDone();
  };
  return (
    <input
      ref={input}
      class={className}
      value={value}
      aria-label={label}
      data-testid={testId}
      maxLength={200}
      onInput={(event) => setValue((event.target as HTMLInputElement).value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === "Enter") commit();
        if (event.key === "Escape") onDone();
      }}
    />
  );
}
