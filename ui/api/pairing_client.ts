import type { NewPairingView, PairingView } from "../../core/http/pairing_routes.ts";
import { json, send } from "./client.ts";

export type { NewPairingView, PairingView };
export type PairingEntry = PairingView["entries"][number];

/** "Use from your phone": /api/pairing (see core/http/pairing_routes.ts). */
export interface PairingApi {
  pairing(): Promise<PairingView>;
  createPairing(address?: string): Promise<NewPairingView>;
  revokePairing(id: string): Promise<void>;
}

export const pairingApi: PairingApi = {
  pairing: () => json<PairingView>("/api/pairing"),
  createPairing: (address) =>
    send<NewPairingView>("POST", "/api/pairing", address ? { address } : undefined),
  revokePairing: (id) => send<void>("DELETE", `/api/pairing/${encodeURIComponent(id)}`),
};
