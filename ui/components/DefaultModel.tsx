import { chatPrefs, meshModels } from "../models/app.ts";

/**
 * The model a new chat starts with (a chat then remembers its own). Kept in this browser; saved
 * as soon as it is picked.
 */
export function DefaultModel() {
  const selected = meshModels.selectedModel.value;
  const names = meshModels.list.value.map((model) => model.name);
  // A default the mesh does not serve now stays listed, so the choice is not lost silently.
  if (selected && !names.includes(selected)) names.unshift(selected);
  return (
    <section class="card glass" aria-labelledby="chats-heading">
      <h2 id="chats-heading">Chats</h2>
      <label class="field">
        <span class="field-label">Default model</span>
        <select
          value={selected ?? ""}
          onChange={(event) => {
            const name = (event.target as HTMLSelectElement).value;
            meshModels.selectModel(name === "" ? null : name);
          }}
        >
          <option value="">Auto — the mesh picks</option>
          {names.map((name) => (
            <option value={name} key={name}>
              {name}
              {meshModels.list.value.some((model) => model.name === name)
                ? ""
                : " (not served now)"}
            </option>
          ))}
        </select>
        <span class="field-hint muted">
          New chats ask this model; each chat remembers the model picked in it. Saved in this
          browser.
        </span>
      </label>
      <label class="switch-row">
        <span>
          <span class="field-label">Short titles written by the model</span>
          <span class="field-hint muted">
            After a new chat's first answer, the model names it in a few words (one more short
            request). Off: a chat is named by its first question.
          </span>
        </span>
        <input
          type="checkbox"
          role="switch"
          class="switch"
          checked={chatPrefs.modelTitles.value}
          onChange={(event) => chatPrefs.setModelTitles((event.target as HTMLInputElement).checked)}
        />
      </label>
    </section>
  );
}
