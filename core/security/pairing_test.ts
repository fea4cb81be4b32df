import assert from "node:assert/strict";
import { deviceLabel, Pairings } from "./pairing.ts";
import { memoryPrivateFile } from "./private_file.ts";

const PHONE_UA =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";

Deno.test("Pairings: a link works once and gives the device a token of its own", async () => {
  const io = memoryPrivateFile();
  const pairings = new Pairings(io);
  const link = await pairings.createLink();
  assert.match(link.code, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await pairings.list())[0].state, "waiting");

  const token = await pairings.redeem(link.code, PHONE_UA);
  assert.ok(token && token !== link.code);
  assert.equal(await pairings.redeem(link.code, PHONE_UA), null, "one time only");
  assert.equal(await pairings.deviceOf(token), link.id);
  assert.equal(await pairings.deviceOf(link.code), null, "the code itself grants nothing");
  assert.deepEqual(
    (await pairings.list()).map((e) => [e.id, e.state, e.device]),
    [[link.id, "paired", "Android phone"]],
  );
  assert.doesNotMatch(io.text ?? "", new RegExp(token), "only hashes are stored");
});

Deno.test("Pairings: an expired link is refused and dropped", async () => {
  let now = 1_000;
  const pairings = new Pairings(memoryPrivateFile(), { now: () => now, linkTtlMs: 60_000 });
  const link = await pairings.createLink();
  assert.equal(link.expiresAt, 61_000);
  now = 61_000;
  assert.equal(await pairings.redeem(link.code), null);
  assert.deepEqual(await pairings.list(), []);
});

Deno.test("Pairings: revoking a link or a device withdraws it and tells listeners", async () => {
  const pairings = new Pairings(memoryPrivateFile());
  const unused = await pairings.createLink();
  assert.equal(await pairings.revoke(unused.id), true);
  assert.equal(await pairings.redeem(unused.code), null, "a revoked link cannot be opened");

  const link = await pairings.createLink();
  const token = (await pairings.redeem(link.code))!;
  const revoked: string[] = [];
  pairings.onRevoke((id) => revoked.push(id));
  assert.equal(await pairings.revoke(link.id), true);
  assert.equal(await pairings.deviceOf(token), null);
  assert.deepEqual(revoked, [link.id]);
  assert.equal(await pairings.revoke(link.id), false, "unknown now");
});

Deno.test("Pairings: paired devices survive a restart, waiting links do not", async () => {
  const io = memoryPrivateFile();
  const first = new Pairings(io);
  const link = await first.createLink();
  const token = (await first.redeem(link.code))!;
  const waiting = await first.createLink();
  const again = new Pairings(io);
  assert.equal(await again.deviceOf(token), link.id);
  assert.equal(await again.redeem(waiting.code), null);
});

Deno.test("Pairings: links and devices are bounded", async () => {
  const pairings = new Pairings(memoryPrivateFile(), { maxLinks: 2, maxDevices: 1 });
  const oldest = await pairings.createLink();
  const second = await pairings.createLink();
  const third = await pairings.createLink();
  assert.equal(await pairings.redeem(oldest.code), null, "the oldest link made room");
  assert.ok(await pairings.redeem(second.code));
  assert.equal(await pairings.redeem(third.code), null, "the device list is full");
});

Deno.test("Pairings refuses an unreadable device file instead of forgetting devices", async () => {
  const pairings = new Pairings(memoryPrivateFile("{nope"));
  await assert.rejects(pairings.list(), /paired devices file is unreadable/);
});

Deno.test("deviceLabel() names the kind of device from its browser", () => {
  assert.equal(deviceLabel(PHONE_UA), "Android phone");
  assert.equal(
    deviceLabel("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"),
    "iPhone",
  );
  assert.equal(
    deviceLabel("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36"),
    "Chrome on Linux",
  );
  assert.equal(deviceLabel(undefined), "A browser");
});
