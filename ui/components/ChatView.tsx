import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { conversations, meshModels, search, status } from "../models/app.ts";
import { Composer } from "./Composer.tsx";
import { ConversationHeader } from "./ConversationHeader.tsx";
import { EditIcon, ForkIcon } from "./icons.tsx";
import { QuestionMessage, ResponseMessage } from "./Message.tsx";
import { QuestionEditor, VersionSwitcher } from "./MessageVersions.tsx";

function Welcome() {
  const models = meshModels.list.value;
  const hosts = meshModels.hostCount.value;
  const online = status.onlinePeerCount.value;
  return (
    <div class="welcome">
      <div class="welcome-mark" aria-hidden="true" />
      <h2>What can I help with?</h2>
      {models.length > 0
        ? (
          <p class="muted">
            {models.length} model{models.length === 1 ? "" : "s"} on {hosts} device
            {hosts === 1 ? "" : "s"} · {online} peer{online === 1 ? "" : "s"} online
          </p>
        )
        : (
          <p class="callout warn" data-testid="no-llm-hint">
            No LLM is available in the mesh yet. Start Ollama on this device
            {status.node.value?.name ? ` (${status.node.value.name})` : ""}, or wait for a device
            that hosts a model.
          </p>
        )}
    </div>
  );
}

function ReadOnlyBar() {
  const id = conversations.currentId.value;
  const entry = conversations.currentEntry.value;
  const from = entry?.receivedFrom?.name ?? entry?.originName ?? "another device";
  return (
    <div class="readonly-bar" data-testid="readonly-bar">
      <span>
        Received from <strong>{from}</strong> — read-only here.
      </span>
      <button
        type="button"
        class="button primary"
        data-testid="continue-here"
        onClick={() => id && void conversations.fork(id)}
      >
        <ForkIcon size={16} /> Continue here
      </button>
    </div>
  );
}

/** Keeps the view pinned to the newest words while the reader has not scrolled up. */
function useStickToBottom(scroller: { current: HTMLElement | null }, deps: unknown[]) {
  const pinned = useRef(true);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, []);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, deps);
  useEffect(() => {
    pinned.current = true;
  }, [conversations.currentId.value]);
}

export function ChatView() {
  const scroller = useRef<HTMLDivElement>(null);
  // The shown branch: at each edited question or regenerated answer, the version selected.
  const list = conversations.shown.value;
  const versions = conversations.versions.value;
  const [editing, setEditing] = useState<string | null>(null);
  const readOnly = conversations.currentReadOnly.value;
  const streaming = conversations.isStreamingHere.value;
  const lastAnswer = conversations.lastAnswerId.value;
  const problem = conversations.currentNotice.value;
  // A failed answer carries its notice; other problems stand under the conversation.
  const problemOn = conversations.noticeMessageId.value;
  const currentId = conversations.currentId.value;
  const found = search.found.value;
  useStickToBottom(scroller, [list, conversations.notice.value]);
  useEffect(() => setEditing(null), [currentId]);
  const switcher = (id: string) =>
    versions[id] && (
      <VersionSwitcher
        id={id}
        versions={versions[id]}
        disabled={streaming || readOnly}
        onSelect={(other) => void conversations.selectVersion(other)}
      />
    );

  return (
    <section class="chat" aria-label="Chat">
      <ConversationHeader />
      <div class="messages" ref={scroller} data-testid="messages">
        <div class="messages-inner">
          {list.length === 0 && !conversations.loadingConversation.value && !currentId && (
            <Welcome />
          )}
          {list.length === 0 && currentId && conversations.current.value && !problem && (
            <div class="welcome small muted">No messages yet.</div>
          )}
          {list.map((message) =>
            message.messageType === "Question"
              ? editing === message.id
                ? (
                  <QuestionEditor
                    key={message.id}
                    text={message.content}
                    onCancel={() => setEditing(null)}
                    onSend={(text) => {
                      setEditing(null);
                      void conversations.edit(message.id, text);
                    }}
                  />
                )
                : (
                  <QuestionMessage key={message.id} message={message} found={found === message.id}>
                    {!readOnly && !streaming && (
                      <button
                        type="button"
                        class="icon-button small"
                        title="Edit and resend"
                        aria-label="Edit message"
                        onClick={() => setEditing(message.id)}
                      >
                        <EditIcon size={16} />
                      </button>
                    )}
                    {switcher(message.id)}
                  </QuestionMessage>
                )
              : (
                <ResponseMessage
                  key={message.id}
                  message={message}
                  found={found === message.id}
                  canRegenerate={!readOnly && !streaming && message.id === lastAnswer}
                  hint={problemOn === message.id ? problem?.text : undefined}
                  onRegenerate={() => void conversations.regenerate()}
                >
                  {switcher(message.id)}
                </ResponseMessage>
              )
          )}
          {problem && !problemOn && (
            <div
              class={`callout ${problem.kind === "unreachable" ? "error" : "warn"}`}
              role="alert"
              data-testid="chat-notice"
            >
              {problem.text}
            </div>
          )}
        </div>
      </div>
      <div class="composer-dock">
        {readOnly ? <ReadOnlyBar /> : <Composer />}
        <p class="composer-hint muted">
          Answers come from LLMs on your network and can be wrong.
        </p>
      </div>
    </section>
  );
}
