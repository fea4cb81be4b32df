import { type ReadonlySignal, signal } from "@preact/signals";
import {
  type NewPairingView,
  type PairingApi,
  pairingApi,
  type PairingView,
} from "../api/pairing_client.ts";
import { errorText } from "../lib/errors.ts";

/** How often the shown link's state is read again, to say when the phone has paired. */
const WATCH_MS = 3000;

/**
 * Settings → "Use from your phone": whether other devices can reach this node, the one-time link
 * shown as a QR code (held only while shown), and the paired devices with Revoke.
 */
export interface PairingModel {
  readonly view: ReadonlySignal<PairingView | null>;
  readonly loadError: ReadonlySignal<string | null>;
  /** The link made last, until it is used, expires, is revoked or the view is left. */
  readonly shown: ReadonlySignal<NewPairingView | null>;
  /** The device that opened the shown link ("Android phone"), once it has. */
  readonly justPaired: ReadonlySignal<string | null>;
  readonly creating: ReadonlySignal<boolean>;
  readonly actionError: ReadonlySignal<string | null>;
  load(): Promise<void>;
  createLink(address?: string): Promise<void>;
  revoke(id: string): Promise<void>;
  /** Leaving the view: the link is forgotten (it still works until it expires or is revoked). */
  forgetShown(): void;
}

export function createPairingModel(
  {
    api = pairingApi,
    now = Date.now,
    later = (run, ms) => Number(setTimeout(run, ms)),
    cancel = (id) => clearTimeout(id),
  }: {
    api?: PairingApi;
    now?: () => number;
    later?: (run: () => void, ms: number) => number;
    cancel?: (id: number) => void;
  } = {},
): PairingModel {
  const view = signal<PairingView | null>(null);
  const loadError = signal<string | null>(null);
  const shown = signal<NewPairingView | null>(null);
  const justPaired = signal<string | null>(null);
  const creating = signal(false);
  const actionError = signal<string | null>(null);
  let watch: number | null = null;

  const stopWatching = () => {
    if (watch !== null) cancel(watch);
    watch = null;
  };

  const load = async () => {
    try {
      view.value = await api.pairing();
      loadError.value = null;
    } catch (error) {
      loadError.value = errorText(error);
      return;
    }
    const link = shown.value;
    if (!link) return;
    const entry = view.value.entries.find((e) => e.id === link.id);
    if (entry?.state === "paired") {
      justPaired.value = entry.device ?? "A device";
      shown.value = null;
    } else if (!entry || link.expiresAt <= now()) {
      shown.value = null; // expired or revoked elsewhere
    }
  };

  const watchShown = () => {
    stopWatching();
    watch = later(async () => {
      watch = null;
      await load();
      if (shown.value) watchShown();
    }, WATCH_MS);
  };

  return {
    view,
    loadError,
    shown,
    justPaired,
    creating,
    actionError,
    load,
    async createLink(address) {
      creating.value = true;
      actionError.value = null;
      justPaired.value = null;
      try {
        shown.value = await api.createPairing(address);
        await load();
        watchShown();
      } catch (error) {
        actionError.value = errorText(error);
      } finally {
        creating.value = false;
      }
    },
    async revoke(id) {
      actionError.value = null;
      justPaired.value = null;
      try {
        await api.revokePairing(id);
        if (shown.value?.id === id) shown.value = null;
      } catch (error) {
        actionError.value = errorText(error);
      }
      await load();
    },
    forgetShown() {
      stopWatching();
      shown.value = null;
      justPaired.value = null;
    },
  };
}
