import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import {
  FIELD_LABELS,
  type FieldProblem,
  fieldProblem,
  SettingsFieldError,
  type SettingsForm,
  settingsPatch,
  toForm,
} from "../lib/settings_form.ts";
import type { Settings, TrustMode } from "../api/types.ts";
import { copyText } from "../lib/clipboard.ts";
import { settings, status, trust } from "../models/app.ts";
import { PhoneAccess } from "./PhoneAccess.tsx";
import { PanelHeader } from "./TopBar.tsx";
import { DefaultModel } from "./DefaultModel.tsx";

function Field(
  { label, hint, error, children }: {
    label: string;
    hint?: string;
    /** Why the value cannot be saved, shown at the field. */
    error?: string;
    children: ComponentChildren;
  },
) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {error && <span class="field-error" role="alert">{error}</span>}
      {hint && <span class="field-hint muted">{hint}</span>}
    </label>
  );
}

const TRUST_MODES: { value: TrustMode; label: string }[] = [
  { value: "open", label: "Open — any device on the allowed networks" },
  { value: "mesh-key", label: "Mesh key — only devices that know the passphrase" },
  { value: "approve", label: "Approve — ask me before a new device joins" },
];

/** The new API token, shown once with a copy button; the node keeps only its hash. */
function TokenRotation() {
  const state = trust.tokenState.value;
  const [copied, setCopied] = useState(false);
  useEffect(() => trust.forgetShownToken, []); // leaving the view forgets the token
  return (
    <div class="field">
      <span class="field-label">API token</span>
      <span class="field-hint muted">
        Devices that open this page or use the API over the network need it. Rotating makes a new
        one and the old one stops working at once.
      </span>
      {state.kind === "shown"
        ? (
          <div class="token-box" data-testid="api-token">
            <code>{state.token}</code>
            <button
              type="button"
              class="button small"
              onClick={async () => setCopied(await copyText(state.token))}
            >
              {copied ? "Copied" : "Copy"}
            </button>
            <span class="field-hint muted">
              Shown only now: copy it before leaving this page.
            </span>
          </div>
        )
        : (
          <div>
            <button
              type="button"
              class="button small"
              data-testid="rotate-token"
              disabled={state.kind === "rotating"}
              onClick={() => {
                setCopied(false);
                void trust.rotateToken();
              }}
            >
              {state.kind === "rotating" ? "Rotating…" : "Rotate API token"}
            </button>
          </div>
        )}
      {state.kind === "error" && <span class="field-error" role="alert">{state.message}</span>}
    </div>
  );
}

/** This node's settings, saved with PATCH /api/settings (only the fields that changed). */
export function SettingsPanel() {
  const saved = settings.saved.value;
  // Only the fields the person changed; the rest follows the node's values as they arrive.
  const [edits, setEdits] = useState<Partial<SettingsForm>>({});
  const [formError, setFormError] = useState<FieldProblem | null>(null);
  // What the last save sent, so the node's refusal shows beside the field it is about.
  const [sent, setSent] = useState<Partial<Settings>>({});
  const dirty = Object.keys(edits).length > 0;
  const form = saved ? { ...toForm(saved), ...edits } : null;

  useEffect(settings.resetSaveState, []);

  if (!form || !saved) {
    return (
      <section class="panel" aria-label="Settings">
        <PanelHeader title="Settings" />
        <div class="panel-scroll">
          <div class="panel-inner muted">{settings.loadError.value ?? "Loading settings…"}</div>
        </div>
      </section>
    );
  }

  const update = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) => {
    setEdits((current) => ({ ...current, [key]: value }));
    setFormError(null);
    settings.dismissSaveOutcome();
  };
  const text = (key: Exclude<keyof SettingsForm, "sharing" | "trustMode">) => ({
    value: form[key],
    onInput: (event: Event) => update(key, (event.target as HTMLInputElement).value),
  });
  const state = settings.saveState.value;
  const problem = formError ?? (state.kind === "error" ? fieldProblem(state.message, sent) : null);
  const errorAt = (field: keyof SettingsForm) =>
    problem?.field === field ? problem.text : undefined;
  const trustError = errorAt("trustMode");
  const encrypted = status.node.value?.security?.encryptedLinks;

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
              setFormError({
                field: error instanceof SettingsFieldError ? error.field : null,
                text: (error as Error).message,
              });
              return;
            }
            setSent(patch);
            if (Object.keys(patch).length === 0 || await settings.saveSettings(patch)) setEdits({});
          }}
        >
          <div class="card glass">
            <h2>This device</h2>
            <Field
              label="Display name"
              hint="How this device appears to the others."
              error={errorAt("name")}
            >
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
            <Field
              label="Ollama URL"
              hint="Where this device's Ollama listens."
              error={errorAt("ollamaUrl")}
            >
              <input
                name="ollamaUrl"
                type="url"
                inputMode="url"
                spellcheck={false}
                {...text("ollamaUrl")}
              />
            </Field>
            <div class="field-row">
              <Field
                label="Capacity"
                hint="Answers generated at once."
                error={errorAt("capacity")}
              >
                <input name="capacity" type="number" min={1} step={1} {...text("capacity")} />
              </Field>
              <Field
                label="Rate limit"
                hint="Requests per minute per peer."
                error={errorAt("rateLimit")}
              >
                <input name="rateLimit" type="number" min={1} step={1} {...text("rateLimit")} />
              </Field>
            </div>
          </div>
          <div class="card glass">
            <h2>Who may connect</h2>
            <Field
              label="Allowed networks"
              hint="CIDRs, one per line, in addition to the private LAN ranges."
              error={errorAt("allowCidr")}
            >
              <textarea name="allowCidr" rows={3} spellcheck={false} {...text("allowCidr")} />
            </Field>
            <Field
              label="Blocked networks"
              hint="CIDRs, one per line; blocking wins over allowing."
              error={errorAt("blockCidr")}
            >
              <textarea name="blockCidr" rows={3} spellcheck={false} {...text("blockCidr")} />
            </Field>
          </div>
          <div class="card glass" data-testid="security-settings">
            <h2>Security</h2>
            {encrypted === false && (
              <p class="notice" role="status" data-testid="plaintext-notice">
                Links to other devices are{" "}
                <strong>not encrypted</strong>: this node was started with{" "}
                <code>--insecure-plaintext-links</code>, so anyone on the network can read and alter
                what devices send each other.
              </p>
            )}
            <Field
              label="Who may join"
              hint={form.trustMode === "mesh-key" && trust.snapshot.value &&
                  !trust.snapshot.value.meshKeyConfigured
                ? "No mesh key is set on this device: start it with --mesh-key or NEUROMESH_MESH_KEY first."
                : "Devices trusted before stay trusted; blocked devices are refused in every mode."}
            >
              <select
                name="trustMode"
                data-testid="trust-mode"
                value={form.trustMode}
                onChange={(event) =>
                  update("trustMode", (event.target as HTMLSelectElement).value as TrustMode)}
              >
                {TRUST_MODES.map((mode) => (
                  <option key={mode.value} value={mode.value}>{mode.label}</option>
                ))}
              </select>
              {trustError && (
                <span class="field-error" role="alert" data-testid="trust-mode-error">
                  {trustError}
                </span>
              )}
            </Field>
            <Field
              label="Always allowed devices"
              hint="Node ids, one per line: let in without approval or mesh key."
              error={errorAt("allowNodeId")}
            >
              <textarea name="allowNodeId" rows={2} spellcheck={false} {...text("allowNodeId")} />
            </Field>
            <Field
              label="Blocked devices"
              hint="Node ids, one per line: refused in every mode."
              error={errorAt("blockNodeId")}
            >
              <textarea name="blockNodeId" rows={2} spellcheck={false} {...text("blockNodeId")} />
            </Field>
            <TokenRotation />
          </div>
          <div class="settings-actions">
            {problem && (
              <span
                class="form-status error"
                role={problem.field === null ? "alert" : "status"}
                data-testid="settings-error"
              >
                {problem.field === null
                  ? problem.text
                  : `Not saved: see ${FIELD_LABELS[problem.field]} above.`}
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
        <div class="panel-inner settings">
          <DefaultModel />
          <PhoneAccess />
        </div>
      </div>
    </section>
  );
}
