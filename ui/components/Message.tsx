import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { ChatMessage } from "../api/types.ts";
import { failoverSentence, servedByText } from "../lib/answer_labels.ts";
import { copyText } from "../lib/clipboard.ts";
import { plainFailure } from "../lib/errors.ts";
import { formatDuration, formatRate } from "../lib/format.ts";
import { CheckIcon, ChipIcon, CopyIcon, RefreshIcon, SwitchIcon } from "./icons.tsx";
import { Markdown } from "./Markdown.tsx";

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="icon-button small"
      title="Copy message"
      aria-label="Copy message"
      onClick={async () => {
        if (await copyText(text)) {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }
      }}
    >
      {copied ? <CheckIcon size={16} /> : <CopyIcon size={16} />}
    </button>
  );
}

/**
 * "Beta · llama3.2 · 2.1 s · 24 tok/s · 50 tokens" under an answer: the serving host from the
 * first token on, and the tokens counted so far while it streams (across failovers).
 */
function ServedBy({ message }: { message: ChatMessage }) {
  const stats = message.stats;
  return (
    <span class="served-by" data-testid="served-by">
      <ChipIcon size={14} />
      <span>{servedByText(message)}</span>
      {stats && (
        <span class="stats">
          {formatDuration(stats.durationMs)} · {formatRate(stats.tokensPerSec)} · {stats.tokens}
          {" "}
          tokens
        </span>
      )}
    </span>
  );
}

export function QuestionMessage(
  { message, found = false, children }: {
    message: ChatMessage;
    /** Just brought into view by a search hit: outlined for a moment. */
    found?: boolean;
    /** More actions (edit, version switcher). */
    children?: ComponentChildren;
  },
) {
  return (
    <div class={`message question${found ? " found-message" : ""}`} data-message-id={message.id}>
      <div class="bubble">
        <Markdown text={message.content} />
      </div>
      <div class="message-actions">
        <span class="sender">{message.hostInfo.nodeName || message.sender}</span>
        <CopyButton text={message.content} />
        {children}
      </div>
    </div>
  );
}

export function ResponseMessage(
  { message, canRegenerate, onRegenerate, hint, found = false, children }: {
    message: ChatMessage;
    /** Just brought into view by a search hit: outlined for a moment. */
    found?: boolean;
    canRegenerate: boolean;
    onRegenerate: () => void;
    /** More actions (the version switcher). */
    children?: ComponentChildren;
    /** What to do about this answer's failure, while it is fresh. */
    hint?: string;
  },
) {
  const streaming = !message.complete;
  const failover = message.failover;
  return (
    <div
      class={`message response${found ? " found-message" : ""}`}
      data-message-id={message.id}
      aria-busy={streaming}
    >
      <div class="avatar" aria-hidden="true">
        <span />
      </div>
      <div class="response-body">
        {failover && (
          <div class="failover-note" role="status" data-testid="failover-note">
            <SwitchIcon size={15} />
            <span>{failoverSentence(message, failover)}</span>
          </div>
        )}
        {message.content
          ? <Markdown text={message.content} streaming={streaming} />
          : streaming
          ? (
            <div class="thinking" aria-label="Waiting for the first words">
              <span />
              <span />
              <span />
            </div>
          )
          : message.error || hint
          ? null
          : <div class="md empty">(no answer)</div>}
        {(message.error || hint) && (
          <div class="callout warn answer-error" role="alert" data-testid="answer-error">
            {(() => {
              // Plain words first (the live notice, or read from the stored error); the node's
              // own text stays one click away.
              const plain = hint ?? (message.error ? plainFailure(message.error) : undefined);
              if (!plain) {
                return <div>This answer failed: {message.error}</div>;
              }
              return (
                <>
                  <div>{plain}</div>
                  {message.error && message.error !== plain && (
                    <details class="hint">
                      <summary>Details</summary>
                      {message.error}
                    </details>
                  )}
                </>
              );
            })()}
          </div>
        )}
        <div class="message-actions">
          <ServedBy message={message} />
          {message.stopped && <span class="badge">stopped</span>}
          {!streaming && message.content && <CopyButton text={message.content} />}
          {!streaming && canRegenerate && (
            <button
              type="button"
              class="icon-button small"
              title="Regenerate answer"
              aria-label="Regenerate answer"
              onClick={onRegenerate}
            >
              <RefreshIcon size={16} />
            </button>
          )}
          {children}
        </div>
      </div>
    </div>
  );
}
