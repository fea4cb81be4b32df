import assert from "node:assert/strict";
import { stop } from "esbuild";
import { bundleUi, readCommittedStamp, renderModule } from "./build_ui.ts";

Deno.test("bundleUi() is deterministic and the committed assets/ui_bundle.ts matches ui/", async () => {
  try {
    const first = await bundleUi();
    const second = await bundleUi();
    assert.equal(first.etag, second.etag);
    assert.equal(first.js, second.js);
    const committed = await readCommittedStamp();
    assert.equal(
      committed?.etag,
      first.etag,
      "assets/ui_bundle.ts is stale: run `deno run -A build/build_ui.ts` and commit it",
    );
    assert.match(first.html, new RegExp(`/assets/app\\.js\\?v=${first.etag.slice(0, 12)}`));
    assert.ok(!first.js.includes("ZodError"), "zod must stay out of the browser bundle");
  } finally {
    await stop();
  }
});

Deno.test("renderModule() writes an ES module whose exports round-trip the bundle", async () => {
  const bundle = { html: '<p>"hi"</p>', js: "let a = `${1}`;\n</script>", css: "a{}", etag: "e1" };
  const source = renderModule(bundle, "2025-01-01T00:00:00.000Z");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ui_bundle.ts`, source);
    const loaded = await import(`file://${dir}/ui_bundle.ts`);
    assert.deepEqual(
      {
        html: loaded.html,
        js: loaded.js,
        css: loaded.css,
        etag: loaded.etag,
        builtAt: loaded.builtAt,
      },
      { ...bundle, builtAt: "2025-01-01T00:00:00.000Z" },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
