import { useEffect, useRef, useState } from "preact/hooks";
import { conversations } from "../models/app.ts";
import type { SettingsPatch } from "../lib/versions.ts";

/** A number field's text as a setting: empty removes it; NaN is refused by the form. */
function numberOrNull(text: string): number | null {
  return text.trim() === "" ? null : Number(text);
}

/**
 * The open chat's own settings: a system prompt, temperature and context length. They are kept
 * with the chat (synced with it) and sent with each of its questions to whichever host answers.
 */
export function ChatSettingsDialog({ onClose }: { onClose: () => void }) {
  const settings = conversations.current.value?.thread?.settings ?? {};
  const [prompt, setPrompt] = useState(settings.systemPrompt ?? "");
  const [temperature, setTemperature] = useState(settings.temperature?.toString() ?? "");
  const [context, setContext] = useState(settings.contextLength?.toString() ?? "");
  const [saving, setSaving] = useState(false);
  const first = useRef<HTMLTextAreaElement>(null);
  useEffect(() => first.current?.focus(), []);

  const save = async () => {
    const patch: SettingsPatch = {
      systemPrompt: prompt.trim() === "" ? null : prompt,
      temperature: numberOrNull(temperature),
      contextLength: numberOrNull(context),
    };
    setSaving(true);
    const saved = await conversations.saveChatSettings(patch);
    setSaving(false);
    if (saved) onClose();
  };

  return (
    <div
      class="dialog-backdrop"
      onClick={(event) => event.target === event.currentTarget && onClose()}
    >
      <form
        class="dialog chat-settings"
        role="dialog"
        aria-modal="true"
        aria-labelledby="chat-settings-title"
        onKeyDown={(event) => event.key === "Escape" && onClose()}
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <h2 id="chat-settings-title">Chat settings</h2>
        <p class="muted">
          For this chat only, on every device it is shared with. Sent with each question to the
          device that answers it.
        </p>
        <label class="field">
          <span class="field-label">System prompt</span>
          <textarea
            ref={first}
            rows={5}
            maxLength={20_000}
            value={prompt}
            placeholder="e.g. Answer briefly, in plain English."
            onInput={(event) => setPrompt((event.target as HTMLTextAreaElement).value)}
          />
          <span class="field-hint muted">How the model should behave in this chat.</span>
        </label>
        <div class="field-row">
          <label class="field">
            <span class="field-label">Temperature</span>
            <input
              type="number"
              min={0}
              max={2}
              step={0.1}
              inputMode="decimal"
              value={temperature}
              placeholder="model default"
              onInput={(event) => setTemperature((event.target as HTMLInputElement).value)}
            />
            <span class="field-hint muted">0 = focused, 2 = inventive.</span>
          </label>
          <label class="field">
            <span class="field-label">Context length</span>
            <input
              type="number"
              min={256}
              max={1048576}
              step={256}
              inputMode="numeric"
              value={context}
              placeholder="model default"
              onInput={(event) => setContext((event.target as HTMLInputElement).value)}
            />
            <span class="field-hint muted">Tokens the model reads (num_ctx).</span>
          </label>
        </div>
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="button primary" disabled={saving}>
            {saving ? "Saving…" : "Save"}
          </button>
        </div>
      </form>
    </div>
  );
}
