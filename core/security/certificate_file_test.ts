import assert from "node:assert/strict";
import { generateIdentity } from "../identity/identity.ts";
import { certificatePublicKey, createNodeCertificate } from "./certificate.ts";
import { certificateFileIo, loadOrCreateNodeCertificate } from "./certificate_file.ts";
import { memoryPrivateFile } from "./private_file.ts";

Deno.test("the certificate is made once, stored, and read back unchanged", async () => {
  const identity = await generateIdentity("a");
  const file = memoryPrivateFile();
  const first = await loadOrCreateNodeCertificate(file, identity);
  assert.equal(file.writes, 1);
  assert.equal(file.text, first.certPem);
  const again = await loadOrCreateNodeCertificate(file, identity);
  assert.equal(file.writes, 1);
  assert.deepEqual(again, first);
  assert.deepEqual(await certificatePublicKey(again.der), identity.publicKeyRaw);
});

Deno.test("another identity's certificate or a damaged file is replaced, never used", async () => {
  const identity = await generateIdentity("a");
  const other = await createNodeCertificate(await generateIdentity("b"));
  for (const text of [other.certPem, "not a certificate", ""]) {
    const file = memoryPrivateFile(text);
    const loaded = await loadOrCreateNodeCertificate(file, identity);
    assert.equal(file.writes, 1, JSON.stringify(text.slice(0, 20)));
    assert.deepEqual(await certificatePublicKey(loaded.der), identity.publicKeyRaw);
    assert.deepEqual(loaded, await createNodeCertificate(identity));
  }
});

Deno.test("the certificate file sits in the data dir, readable by its owner only", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const identity = await generateIdentity("a");
    const made = await loadOrCreateNodeCertificate(certificateFileIo(dir), identity);
    assert.equal(await Deno.readTextFile(`${dir}/certificate.pem`), made.certPem);
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(`${dir}/certificate.pem`)).mode! & 0o777, 0o600);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
