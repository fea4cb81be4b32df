import assert from "node:assert/strict";
import { AccessControl, type AccessPolicy } from "./access_control.ts";

const policy: AccessPolicy = { serveLlm: true, allowCidr: [], blockCidr: [], rateLimit: 100 };
const lan = { id: "peer-lan", name: "lan", address: "192.168.1.20" };
const other = { id: "peer-other", name: "other", address: "10.0.0.7" };

Deno.test("AccessControl admits private-range peers and refuses public ones as forbidden", () => {
  const access = new AccessControl(policy, () => 0);
  assert.equal(access.admitRequest(lan), undefined);
  const refusal = access.admitRequest({ id: "x", name: "x", address: "8.8.8.8" });
  assert.equal(refusal?.code, "forbidden");
  assert.match(refusal!.message, /8\.8\.8\.8 is outside the allowed ranges \(10\.0\.0\.0\/8/);
});

Deno.test("AccessControl honours allowCidr, blockCidr and the serving switch", () => {
  const access = new AccessControl({
    ...policy,
    allowCidr: ["100.64.0.0/10"],
    blockCidr: ["192.168.1.0/24"],
  }, () => 0);
  assert.equal(access.checkPeer({ id: "t", name: "t", address: "100.100.1.1" }), undefined);
  assert.equal(access.checkPeer(lan)?.code, "blocked");
  assert.equal(
    access.checkPeer({ id: "m", name: "m", address: "::ffff:192.168.1.9" })?.code,
    "blocked",
  );
  access.update({ ...policy, serveLlm: false });
  assert.equal(access.checkPeer(other)?.code, "not_serving");
});

Deno.test("AccessControl refuses the 101st request in a minute from one peer while another is served", () => {
  let now = 0;
  const access = new AccessControl(policy, () => now);
  for (let i = 0; i < 100; i++) {
    assert.equal(access.admitRequest(lan), undefined);
    now += 100;
  }
  const refusal = access.admitRequest(lan);
  assert.equal(refusal?.code, "rate_limited");
  assert.ok((refusal?.retryAfterMs ?? 0) > 0);
  assert.equal(access.admitRequest(other), undefined);
  const byPeer = Object.fromEntries(access.counters().map((c) => [c.peerId, c]));
  assert.equal(byPeer["peer-lan"].requests, 101);
  assert.equal(byPeer["peer-lan"].refused, 1);
  assert.deepEqual(byPeer["peer-lan"].refusedBy, { rate_limited: 1 });
  assert.equal(byPeer["peer-lan"].limited, true);
  assert.equal(byPeer["peer-other"].limited, false);
});

Deno.test("AccessControl counters track grants, access requests and live gauges", () => {
  const access = new AccessControl(policy, () => 42);
  access.answerAccess(lan);
  access.admitRequest(lan);
  access.recordGranted(lan);
  access.adjust(lan, "inFlight", 1);
  access.adjust(lan, "queued", 1);
  access.adjust(lan, "queued", -1);
  access.adjust(lan, "queued", -1);
  const [entry] = access.counters();
  assert.deepEqual(entry, {
    peerId: "peer-lan",
    name: "lan",
    address: "192.168.1.20",
    requests: 1,
    granted: 1,
    refused: 0,
    refusedBy: {},
    accessRequests: 1,
    inFlight: 1,
    queued: 0,
    limited: false,
    lastRequestAt: 42,
  });
});
