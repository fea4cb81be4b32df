import assert from "node:assert/strict";
import {
  announcedNodeId,
  type Announcement,
  createAnnouncement,
  decodeAnnouncement,
  encodeAnnouncement,
  formatTimestamp,
  isLegacy,
  MAX_ANNOUNCEMENT_BYTES,
} from "./announcement.ts";

const text = new TextEncoder();
const ORIGINAL =
  '{"message_type":"ONLINE","has_llm":true,"timestamp":"2025-04-19T10:12:04.929122Z"}';
const NOW = Date.UTC(2025, 3, 19, 10, 12, 4, 929);

const own = (overrides: Partial<Parameters<typeof createAnnouncement>[0]> = {}) =>
  createAnnouncement({
    type: "ONLINE",
    nodeId: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    name: "küche",
    hasLlm: true,
    peerPort: 7878,
    httpPort: 8080,
    protocolVersion: 1,
    now: NOW,
    ...overrides,
  });

Deno.test("formatTimestamp() writes RFC 3339 UTC with microseconds", () => {
  assert.equal(formatTimestamp(NOW), "2025-04-19T10:12:04.929000Z");
});

Deno.test("encodeAnnouncement() starts with the original's three fields, in its order", () => {
  const json = new TextDecoder().decode(encodeAnnouncement(own()));
  assert.ok(
    json.startsWith(
      '{"message_type":"ONLINE","has_llm":true,"timestamp":"2025-04-19T10:12:04.929000Z",',
    ),
    json,
  );
  assert.deepEqual(JSON.parse(json), {
    message_type: "ONLINE",
    has_llm: true,
    timestamp: "2025-04-19T10:12:04.929000Z",
    node_id: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    name: "küche",
    peer_port: 7878,
    http_port: 8080,
    protocol_version: 1,
    reply: false,
  });
});

Deno.test("encodeAnnouncement() and decodeAnnouncement() round-trip, with a fingerprint", () => {
  const announcement = own({ type: "OFFLINE", reply: true, fingerprint: "sha256:abc" });
  assert.deepEqual(decodeAnnouncement(encodeAnnouncement(announcement)), announcement);
});

Deno.test("decodeAnnouncement() accepts the original's bare packet as a legacy node", () => {
  const decoded = decodeAnnouncement(text.encode(ORIGINAL));
  assert.deepEqual(decoded, {
    message_type: "ONLINE",
    has_llm: true,
    timestamp: "2025-04-19T10:12:04.929122Z",
  });
  assert.ok(decoded && isLegacy(decoded));
  assert.equal(announcedNodeId(decoded!, "10.0.0.5"), "legacy:10.0.0.5");
});

Deno.test("decodeAnnouncement() keys our nodes by node_id, not address", () => {
  const decoded = decodeAnnouncement(encodeAnnouncement(own()))!;
  assert.equal(isLegacy(decoded), false);
  assert.equal(announcedNodeId(decoded, "10.0.0.5"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
});

Deno.test("decodeAnnouncement() ignores fields it does not know", () => {
  const decoded = decodeAnnouncement(text.encode(ORIGINAL.replace("}", ',"future":{"x":1}}')));
  assert.ok(decoded);
  assert.equal("future" in decoded, false);
});

Deno.test("decodeAnnouncement() accepts the RFC 3339 forms chrono may write", () => {
  for (const timestamp of ["2025-04-19T10:12:04Z", "2025-04-19T10:12:04.929122123+02:00"]) {
    const packet = ORIGINAL.replace("2025-04-19T10:12:04.929122Z", timestamp);
    assert.ok(decodeAnnouncement(text.encode(packet)), timestamp);
  }
});

Deno.test("decodeAnnouncement() returns null for garbage, never throwing", () => {
  const base = JSON.parse(ORIGINAL);
  const garbage: Array<Uint8Array | unknown> = [
    new Uint8Array(0),
    new Uint8Array([0xff, 0xfe, 0x00]),
    "not json",
    "null",
    "[]",
    '"ONLINE"',
    { ...base, message_type: "AWAY" },
    { ...base, has_llm: "yes" },
    { ...base, timestamp: "yesterday" },
    { ...base, timestamp: 5 },
    { message_type: "ONLINE", has_llm: true },
    { ...base, node_id: "" },
    { ...base, node_id: "legacy:10.0.0.5" }, // may not pose as an original node
    { ...base, node_id: "x".repeat(129) },
    { ...base, node_id: "ABC", peer_port: 0 },
    { ...base, node_id: "ABC", peer_port: 65536 },
    { ...base, node_id: "ABC", protocol_version: -1 },
    { ...base, node_id: "ABC", name: "n".repeat(129) },
    { ...base, reply: "true" },
  ];
  for (const item of garbage) {
    const bytes = item instanceof Uint8Array
      ? item
      : text.encode(typeof item === "string" ? item : JSON.stringify(item));
    assert.equal(decodeAnnouncement(bytes), null, new TextDecoder().decode(bytes));
  }
});

Deno.test("decodeAnnouncement() drops packets over the size cap unread", () => {
  const padded: Announcement & { pad: string } = { ...own(), pad: "" };
  const size = (value: unknown) => text.encode(JSON.stringify(value)).length;
  padded.pad = " ".repeat(MAX_ANNOUNCEMENT_BYTES - size(padded));
  assert.equal(size(padded), MAX_ANNOUNCEMENT_BYTES);
  assert.ok(decodeAnnouncement(text.encode(JSON.stringify(padded))));
  padded.pad += " ";
  assert.equal(decodeAnnouncement(text.encode(JSON.stringify(padded))), null);
});
