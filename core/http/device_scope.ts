/**
 * What a paired device (core/security/pairing.ts) may not do: grant or change access, or change
 * how the node reaches things. A phone is a user of the page — chats, conversations, models,
 * reading status and settings — while making pairing links, revoking, the API token, the
 * node's settings (addresses, trust, the Ollama URL) and peer approvals stay with the node's own
 * page and the API token. So revoking a lost phone ends everything it could reach: it cannot
 * have minted a link, a token or a trusted peer that outlives it. Pure.
 */

const ADMIN_ONLY: readonly [method: string, path: RegExp][] = [
  ["POST", /^\/api\/pairing\/?$/],
  ["DELETE", /^\/api\/pairing\/[^/]+\/?$/],
  ["POST", /^\/api\/token\/rotate\/?$/],
  ["PATCH", /^\/api\/settings\/?$/],
  ["POST", /^\/api\/peers\/[^/]+\/[^/]+\/?$/],
];

/** Why a paired device may not make this request, or null when it may. */
export function deviceRefusal(method: string, path: string): string | null {
  const admin = ADMIN_ONLY.some(([m, p]) => m === method.toUpperCase() && p.test(path));
  return admin
    ? "a paired device cannot pair others, revoke, change settings, approve peers or see the " +
      "API token: do it on the node's own page or with the API token"
    : null;
}
