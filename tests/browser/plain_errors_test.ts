/**
 * Errors in plain words, in a real browser against a real node: a failed answer names the host
 * that was tried and what to do there (never "start Ollama" while a host exists), and a refused
 * setting is shown at its field with the field's name and the entry, not `blockCidr.0`.
 */
import assert from "node:assert/strict";
import { assertCapability, browserUnavailableReason, requires } from "../support/ci.ts";
import { type Rig, screenshot, startRig } from "./harness.ts";

const unavailable = browserUnavailableReason();

Deno.test({
  name: "plain errors: a failed answer names the host tried; a bad setting is shown at its field",
  ...requires(unavailable),
  sanitizeOps: false, // playwright keeps a pipe to Chromium open between steps
  sanitizeResources: false,
  async fn(t) {
    assertCapability(unavailable);
    let rig: Rig | undefined;
    try {
      rig = await startRig();
      const { node, double, browser } = rig;
      const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });

      await t.step("an answer whose host failed says which host and what to do", async () => {
        await page.goto(`${node.url}/`);
        // The model list is there (a host exists); its Ollama then fails every answer.
        await page.getByRole("button", { name: /Auto/ }).waitFor();
        await double.setFault({ kind: "http500", message: "model runner has crashed" });
        const input = page.getByRole("textbox", { name: "Message" });
        await input.fill("Will this work?");
        await input.press("Enter");
        const alert = page.getByTestId("answer-error");
        await alert.waitFor({ timeout: 20_000 });
        const text = await alert.innerText();
        assert.match(text, /Ollama on this device failed \(.*model runner has crashed.*\)/);
        assert.match(text, /Then try again, or pick another model\./);
        assert.doesNotMatch(text, /Start Ollama on this device/);
        await screenshot(page, "error-host-failed");
        await double.setFault("none");
      });

      await t.step("a refused setting shows at its field with readable names", async () => {
        await page.getByRole("button", { name: "Settings" }).click();
        const blocked = page.getByRole("textbox", { name: /Blocked networks/ });
        await blocked.fill("10.9.0.0/16\n10.0.0.0/33");
        await page.getByRole("button", { name: "Save" }).click();
        const error = page.locator(".field", { has: blocked }).getByRole("alert");
        await error.waitFor();
        assert.equal(
          await error.innerText(),
          "Blocked networks: “10.0.0.0/33” (line 2) must be a CIDR such as 192.168.1.0/24",
        );
        assert.match(
          await page.getByTestId("settings-error").innerText(),
          /Not saved: see Blocked networks above\./,
        );
        assert.doesNotMatch(await page.locator("main, body").first().innerText(), /blockCidr/);
        await error.scrollIntoViewIfNeeded();
        await screenshot(page, "error-settings-field");

        // A value the page can check itself is shown at its field before anything is sent.
        await blocked.fill("");
        const capacity = page.getByRole("spinbutton", { name: /Capacity/ });
        await capacity.fill("0");
        await page.getByRole("button", { name: "Save" }).click();
        const capacityError = page.locator(".field", { has: capacity }).getByRole("alert");
        assert.match(await capacityError.innerText(), /^Capacity must be a whole number above 0/);
      });
    } finally {
      await rig?.close();
    }
  },
});
