import assert from "node:assert/strict";
import { PWA_MODULE, renderPwaModule } from "./build_pwa.ts";

Deno.test("assets/pwa_bundle.ts matches assets/ (rebuild: deno run -A build/build_pwa.ts)", async () => {
  assert.equal(await Deno.readTextFile(PWA_MODULE), await renderPwaModule());
});

Deno.test("the embedded manifest names the icons that are embedded", async () => {
  const pwa = await import("../assets/pwa_bundle.ts");
  const manifest = JSON.parse(pwa.manifest);
  assert.equal(manifest.start_url, "/");
  assert.equal(manifest.display, "standalone");
  for (const icon of manifest.icons) {
    const name = icon.src.replace(/^\/icons\//, "");
    assert.ok(pwa.icons[name], `${icon.src} is embedded`);
    assert.equal(pwa.icons[name].type, icon.type);
  }
  const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
  assert.ok(sizes.includes("192x192") && sizes.includes("512x512"), "installable sizes");
});
