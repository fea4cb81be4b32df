/**
 * The page's models, built once with the browser's API (fetch, EventSource, history,
 * localStorage). Components read their signals and call their actions; tests build the models
 * themselves with doubles instead of importing this module.
 */
import { computed } from "@preact/signals";
import { createClock } from "./clock.ts";
import { createChatPrefsModel } from "./chat_prefs.ts";
import { createConversationsModel } from "./conversations.ts";
import { createLiveModel } from "./live.ts";
import { createMeshModelsModel } from "./mesh_models.ts";
import { createMathModel } from "./math.ts";
import { createPairingModel } from "./pairing.ts";
import { createSearchModel } from "./search.ts";
import { createSettingsModel } from "./settings.ts";
import { createStatusModel } from "./status.ts";
import { createTransferModel } from "./transfer.ts";
import { createTrustModel } from "./trust.ts";
import { createViewModel } from "./view.ts";

export const clock = createClock();
/** The page's clock to the minute: list times and date groups change once a minute, not each tick. */
export const minute = computed(() => Math.floor(clock.now.value / 60_000) * 60_000);
export const view = createViewModel();
export const status = createStatusModel();
export const meshModels = createMeshModelsModel();
export const settings = createSettingsModel();
export const pairing = createPairingModel();
export const math = createMathModel();
export const trust = createTrustModel({ peers: status.peers });
export const chatPrefs = createChatPrefsModel();
export const conversations = createConversationsModel({
  node: status.node,
  peers: status.peers,
  search: view.search,
  model: meshModels.effectiveModel,
  navigate: view.navigate,
  modelTitles: () => chatPrefs.modelTitles.value,
  errorContext: () => ({
    hostCount: meshModels.hostCount.value,
    selfName: status.node.value?.name,
  }),
});
export const search = createSearchModel({ navigate: view.navigate });
export const transfer = createTransferModel({ reload: () => conversations.loadConversations() });
export const live = createLiveModel({ status, meshModels, settings, trust, conversations });
