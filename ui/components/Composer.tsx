import { useEffect, useRef, useState } from "preact/hooks";
import { conversations, live } from "../models/app.ts";
import { SendIcon, StopIcon } from "./icons.tsx";

/** The question box: Enter sends, Shift+Enter adds a line, Stop ends a streaming answer. */
export function Composer() {
  const [text, setText] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);
  const streaming = conversations.isStreamingHere.value;
  // Other chats may be writing their answers meanwhile: only this chat's answer shows Stop.

  // Grow with the text up to a limit, like ChatGPT.
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 220)}px`;
  }, [text]);

  // Focus the box when another conversation opens.
  useEffect(() => {
    if (matchMedia("(pointer: fine)").matches) area.current?.focus();
  }, [conversations.currentId.value]);

  const submit = () => {
    if (!text.trim() || streaming) return;
    const question = text;
    setText("");
    void conversations.send(question).then((sent) => {
      // Give an unsent question back unless something new was typed meanwhile.
      if (!sent) setText((current) => current || question);
    });
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <textarea
        ref={area}
        rows={1}
        value={text}
        placeholder="Ask anything"
        aria-label="Message"
        data-testid="composer-input"
        onInput={(event) => setText((event.target as HTMLTextAreaElement).value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            submit();
          }
        }}
      />
      {streaming
        ? (
          <button
            type="button"
            class="send-button stop"
            title="Stop answering"
            aria-label="Stop"
            data-testid="stop-button"
            onClick={conversations.stop}
          >
            <StopIcon size={16} />
          </button>
        )
        : (
          <button
            type="submit"
            class="send-button"
            title={live.connection.value === "online"
              ? "Send (Enter)"
              : "Send — the node is reconnecting"}
            aria-label="Send"
            data-testid="send-button"
            disabled={!text.trim()}
          >
            <SendIcon size={18} />
          </button>
        )}
    </form>
  );
}
