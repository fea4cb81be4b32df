import { useRef, useState } from "preact/hooks";
import type { MeshModel } from "../api/types.ts";
import { formatBytes } from "../lib/format.ts";
import { meshModels } from "../models/app.ts";
import { useDismiss } from "./use_dismiss.ts";
import { CheckIcon, ChevronIcon } from "./icons.tsx";

function details(model: MeshModel): string {
  return [model.parameterSize, model.quantization, formatBytes(model.size)].filter(Boolean).join(
    " · ",
  );
}

/**
 * Chooses the model for the next question: "Auto" (the router picks) or one the mesh serves.
 * Given `chosen` and `onPick`, it shows and sets a chat's own model; else the default one.
 */
export function ModelPicker(
  props: { chosen?: string | null; onPick?: (name: string | null) => void } = {},
) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useDismiss(open, root, () => setOpen(false));

  const models = meshModels.list.value;
  const chosen = props.chosen !== undefined ? props.chosen : meshModels.effectiveModel.value;
  const pick = (name: string | null) => {
    if (props.onPick) props.onPick(name);
    else meshModels.selectModel(name);
    setOpen(false);
  };
  return (
    <div class="model-picker" ref={root}>
      <button
        type="button"
        class="model-button"
        aria-haspopup="listbox"
        aria-expanded={open}
        data-testid="model-picker"
        onClick={() => setOpen(!open)}
        title={meshModels.selectionMissing.value
          ? `${meshModels.selectedModel.value} is not served in the mesh now; using Auto`
          : undefined}
      >
        <span class="model-name">{chosen ?? "Auto"}</span>
        <ChevronIcon size={16} />
      </button>
      {open && (
        <div class="popover model-menu" role="listbox" aria-label="Model">
          <button
            type="button"
            role="option"
            aria-selected={chosen === null}
            class="model-option"
            onClick={() => pick(null)}
          >
            <div class="model-option-head">
              <strong>Auto</strong>
              {chosen === null && <CheckIcon size={16} />}
            </div>
            <div class="muted">The mesh picks a model and the least busy host</div>
          </button>
          {models.length === 0 && (
            <div class="model-empty muted">No device in the mesh serves a model right now.</div>
          )}
          {models.map((model) => (
            <button
              type="button"
              role="option"
              aria-selected={chosen === model.name}
              class="model-option"
              key={model.name}
              onClick={() => pick(model.name)}
            >
              <div class="model-option-head">
                <strong>{model.name}</strong>
                {chosen === model.name && <CheckIcon size={16} />}
              </div>
              {details(model) && <div class="muted">{details(model)}</div>}
              <div class="host-chips">
                {model.hosts.map((host) => (
                  <span
                    class={host.healthy === false ? "chip unhealthy" : "chip"}
                    key={host.nodeId}
                    title={host.healthy === false
                      ? "failed recently; used only if nothing else works"
                      : undefined}
                  >
                    {host.name}
                    {host.local && <em>local</em>}
                    <span class="load">{host.inFlight}/{host.capacity}</span>
                  </span>
                ))}
              </div>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
