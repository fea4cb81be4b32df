/**
 * A conversation as a Markdown document, for reading or pasting elsewhere: the title, then each
 * message of the shown versions under a line naming who wrote it and when (answers: the model and
 * the host), with "version 2 of 3" where there are others. Message text is Markdown already and
 * is kept as it is. Pure.
 */
import type { ChatMessage, Conversation } from "../model/conversation.ts";
import { shownMessages } from "./legacy_files.ts";

export function conversationMarkdown(conversation: Conversation): string {
  const lines = [
    `# ${oneLine(conversation.title) || "Untitled"}`,
    "",
    `_${conversation.readOnly ? `From ${conversation.originName}` : "NeuroMesh conversation"}, ` +
    `started ${readableTime(conversation.createdAt)}._`,
  ];
  for (const message of shownMessages(conversation)) {
    const versions = conversation.versions[message.id];
    const which = versions
      ? ` · version ${versions.indexOf(message.id) + 1} of ${versions.length}`
      : "";
    lines.push("", `### ${author(message)} · ${readableTime(message.timestamp)}${which}`, "");
    lines.push(message.content.trim() || "_(no text)_");
    const notes = [
      message.stopped ? "stopped" : "",
      message.error ? `failed: ${oneLine(message.error)}` : "",
      message.failover ? `continued after ${message.failover.nodeName} was lost` : "",
    ].filter(Boolean);
    if (notes.length > 0) lines.push("", `_(${notes.join("; ")})_`);
  }
  return `${lines.join("\n")}\n`;
}

function author(message: ChatMessage): string {
  if (message.messageType === "Question") return oneLine(message.sender) || "Question";
  const model = message.model ?? message.hostInfo.model ?? message.sender;
  const host = message.hostInfo.nodeName;
  return host ? `${oneLine(model)} on ${oneLine(host)}` : oneLine(model);
}

/** `2025-03-25 13:56 UTC`: RFC 3339 shortened to the minute, in UTC. */
function readableTime(timestamp: string): string {
  const ms = Date.parse(timestamp);
  if (!Number.isFinite(ms)) return timestamp;
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();
