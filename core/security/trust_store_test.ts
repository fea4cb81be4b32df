import assert from "node:assert/strict";
import { memoryPrivateFile } from "./private_file.ts";
import { trustFileIo, TrustStore } from "./trust_store.ts";

const seen = (at: number, name = "n") => ({ name, address: "10.0.0.1", at });

Deno.test("TrustStore remembers a trusted node and reloads it from its file", async () => {
  const io = memoryPrivateFile();
  const store = await TrustStore.open(io);
  store.recordTrusted("A", seen(1, "alpha"));
  store.recordPending("B", seen(2));
  store.alert({ at: 3, nodeId: "A", address: "10.0.0.9", reason: "bad proof" });
  await store.flush();
  const again = await TrustStore.open(io);
  assert.equal(again.status("A"), "trusted");
  assert.equal(again.get("A")?.name, "alpha");
  assert.equal(again.status("B"), "pending");
  assert.equal(again.alerts()[0].reason, "bad proof");
});

Deno.test("TrustStore keeps the user's decision over automatic records", async () => {
  const store = await TrustStore.open(memoryPrivateFile());
  store.setStatus("A", "blocked", 1);
  store.recordTrusted("A", seen(2));
  assert.equal(store.status("A"), "blocked");
  store.recordPending("A", seen(3));
  assert.equal(store.status("A"), "blocked");
  store.recordPending("B", seen(4));
  store.setStatus("B", "trusted", 5);
  assert.equal(store.get("B")?.origin, "user");
  assert.equal(store.remove("B"), true);
  assert.equal(store.status("B"), null);
  assert.equal(store.remove("B"), false);
});

Deno.test("TrustStore turns an automatic pending entry into trusted when policy lets it in", async () => {
  const store = await TrustStore.open(memoryPrivateFile());
  store.recordPending("A", seen(1));
  store.recordTrusted("A", seen(2)); // e.g. the mode changed to open
  assert.equal(store.status("A"), "trusted");
});

Deno.test("TrustStore bounds pending and automatic entries, never the user's", async () => {
  const store = await TrustStore.open(memoryPrivateFile(), { maxPending: 3, maxAuto: 2 });
  store.setStatus("U", "trusted", 0);
  for (let i = 0; i < 10; i++) store.recordPending(`P${i}`, seen(i));
  for (let i = 0; i < 10; i++) store.recordTrusted(`T${i}`, seen(i));
  const entries = store.entries();
  assert.deepEqual(entries.filter((e) => e.status === "pending").map((e) => e.nodeId), [
    "P7",
    "P8",
    "P9",
  ]);
  assert.deepEqual(
    entries.filter((e) => e.origin === "auto" && e.status === "trusted").map((e) => e.nodeId),
    [
      "T8",
      "T9",
    ],
  );
  assert.equal(store.status("U"), "trusted");
});

Deno.test("TrustStore keeps the newest alerts only", async () => {
  const store = await TrustStore.open(memoryPrivateFile(), { maxAlerts: 2 });
  for (let i = 0; i < 5; i++) store.alert({ at: i, nodeId: "X", address: "a", reason: `r${i}` });
  assert.deepEqual(store.alerts().map((a) => a.reason), ["r3", "r4"]);
});

Deno.test("TrustStore coalesces a burst of changes into few writes", async () => {
  const io = memoryPrivateFile();
  const store = await TrustStore.open(io);
  for (let i = 0; i < 100; i++) store.recordTrusted(`N${i}`, seen(i));
  await store.flush();
  assert.ok(io.writes <= 2, `${io.writes} writes`);
  assert.equal(JSON.parse(io.text!).nodes.length, 100);
});

Deno.test("TrustStore.open() refuses an unreadable file instead of forgetting trust", async () => {
  await assert.rejects(() => TrustStore.open(memoryPrivateFile("{not json")), /unreadable/);
});

Deno.test("trustFileIo() writes trust.json with mode 0600", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await TrustStore.open(trustFileIo(dir));
    store.recordTrusted("A", seen(1));
    await store.flush();
    const info = await Deno.stat(`${dir}/trust.json`);
    if (Deno.build.os !== "windows") assert.equal(info.mode! & 0o777, 0o600);
    assert.equal((await TrustStore.open(trustFileIo(dir))).status("A"), "trusted");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TrustStore tells listeners about status changes, not last-seen refreshes", async () => {
  const store = await TrustStore.open(memoryPrivateFile());
  let calls = 0;
  store.onChange(() => calls++);
  store.recordTrusted("A", seen(1));
  store.recordTrusted("A", seen(2));
  assert.equal(calls, 1);
  await store.flush();
});

Deno.test("TrustStore.unblock() gives back the trust a node had before the block", async () => {
  const io = memoryPrivateFile();
  const store = await TrustStore.open(io);
  store.recordTrusted("A", seen(1));
  store.setStatus("A", "blocked", 2);
  assert.equal(store.status("A"), "blocked");
  await store.flush();
  // The earlier trust survives a restart while the node is blocked.
  const again = await TrustStore.open(io);
  assert.equal(again.unblock("A"), "trusted");
  assert.equal(again.get("A")?.origin, "auto");
  assert.equal(again.get("A")?.before, undefined);
  assert.equal(again.unblock("A"), undefined, "not blocked any more");

  again.recordPending("B", seen(3));
  again.setStatus("B", "blocked", 4);
  again.setStatus("B", "blocked", 5); // blocking twice keeps the first memory
  assert.equal(again.unblock("B"), "pending");

  again.setStatus("C", "blocked", 6); // never seen: nothing to give back
  assert.equal(again.unblock("C"), null);
  assert.equal(again.status("C"), null);
});

Deno.test("TrustStore forgets the trust before a block once the user approves instead", async () => {
  const store = await TrustStore.open(memoryPrivateFile());
  store.recordPending("A", seen(1));
  store.setStatus("A", "blocked", 2);
  store.setStatus("A", "trusted", 3);
  assert.equal(store.get("A")?.before, undefined);
  assert.equal(store.get("A")?.origin, "user");
});
