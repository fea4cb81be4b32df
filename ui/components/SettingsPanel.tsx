import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type SettingsForm, settingsPatch, toForm } from "../lib/settings_form.ts";
import { saveSettings, saveState, settings, settingsLoadError } from "../models/settings.ts";
import { PanelHeader } from "./TopBar.tsx";

function Field(
  { label, hint, children }: { label: string; hint?: string; children: ComponentChildren },
) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint && <span class="field-hint muted">{hint}</span>}
    </label>
  );
}

/** This node's settings, saved with PATCH /api/settings (only the fields that changed). */
export function SettingsPanel() {
  const saved = settings.value;
  // Only the fields the person changed; the rest follows the node's values as they arrive.
  const [edits, setEdits] = useState<Partial<SettingsForm>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const dirty = Object.keys(edits).length > 0;
  const form = saved ? { ...toForm(saved), ...edits } : null;

  useEffect(() => {
    saveState.value = { kind: "idle" };
  }, []);

  if (!form || !saved) {
    return (
      <section class="panel" aria-label="Settings">
        <PanelHeader title="Settings" />
        <div class="panel-scroll">
          <div class="panel-inner muted">{settingsLoadError.value ?? "Loading settings…"}</div>
        </div>
      </section>
    );
  }

  const update = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) => {
    setEdits((current) => ({ ...current, [key]: value }));
    setFormError(null);
    if (saveState.value.kind !== "saving") saveState.value = { kind: "idle" };
  };
  const text = (key: Exclude<keyof SettingsForm, "sharing">) => ({
    value: form[key],
    onInput: (event: Event) => update(key, (event.target as HTMLInputElement).value),
  });
  const state = saveState.value;

  return (
    <section class="panel" aria-label="Settings">
      <PanelHeader title="Settings" />
      <div class="panel-scroll">
        <form
          class="panel-inner settings"
          data-testid="settings-form"
          noValidate
          onSubmit={async (event) => {
            event.preventDefault();
            let patch;
            try {
              patch = settingsPatch(saved, form);
            } catch (error) {
              setFormError((error as Error).message);
              return;
            }
            if (Object.keys(patch).length === 0 || await saveSettings(patch)) setEdits({});
          }}
        >
          <div class="card glass">
            <h2>This device</h2>
            <Field label="Display name" hint="How this device appears to the others.">
              <input name="name" maxLength={64} required {...text("name")} />
            </Field>
            <label class="switch-row">
              <span>
                <span class="field-label">Share with the mesh</span>
                <span class="field-hint muted">
                  Let peers use this device's models and see its shared conversations.
                </span>
              </span>
              <input
                type="checkbox"
                name="sharing"
                role="switch"
                class="switch"
                checked={form.sharing}
                onChange={(event) => update("sharing", (event.target as HTMLInputElement).checked)}
              />
            </label>
          </div>
          <div class="card glass">
            <h2>Model host</h2>
            <Field label="Ollama URL" hint="Where this device's Ollama listens.">
              <input
                name="ollamaUrl"
                type="url"
                inputMode="url"
                spellcheck={false}
                {...text("ollamaUrl")}
              />
            </Field>
            <div class="field-row">
              <Field label="Capacity" hint="Answers generated at once.">
                <input name="capacity" type="number" min={1} step={1} {...text("capacity")} />
              </Field>
              <Field label="Rate limit" hint="Requests per minute per peer.">
                <input name="rateLimit" type="number" min={1} step={1} {...text("rateLimit")} />
              </Field>
            </div>
          </div>
          <div class="card glass">
            <h2>Who may connect</h2>
            <Field
              label="Allowed networks"
              hint="CIDRs, one per line, in addition to the private LAN ranges."
            >
              <textarea name="allowCidr" rows={3} spellcheck={false} {...text("allowCidr")} />
            </Field>
            <Field
              label="Blocked networks"
              hint="CIDRs, one per line; blocking wins over allowing."
            >
              <textarea name="blockCidr" rows={3} spellcheck={false} {...text("blockCidr")} />
            </Field>
          </div>
          <div class="settings-actions">
            {(formError || state.kind === "error") && (
              <span class="form-status error" role="alert" data-testid="settings-error">
                {formError ?? (state.kind === "error" ? state.message : "")}
              </span>
            )}
            {state.kind === "saved" && !dirty && (
              <span class="form-status ok" role="status" data-testid="settings-saved">Saved</span>
            )}
            <button
              type="button"
              class="button"
              disabled={!dirty}
              onClick={() => {
                setEdits({});
                setFormError(null);
              }}
            >
              Reset
            </button>
            <button
              type="submit"
              class="button primary"
              data-testid="settings-save"
              disabled={!dirty || state.kind === "saving"}
            >
              {state.kind === "saving" ? "Saving…" : "Save"}
            </button>
          </div>
        </form>
      </div>
    </section>
  );
}
