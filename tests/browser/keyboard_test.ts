/**
 * The page by keyboard: a real node on 127.0.0.1 with the Ollama test double
 * (tests/browser/harness.ts). The skip link, Escape to stop an answer and to close the phone
 * drawer, focus following the drawer, and the new-chat and message-box shortcuts.
 * Screenshots: `keyboard-*`.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { assertCapability, browserUnavailableReason, requires } from "../support/ci.ts";
import { LONG_MARK, type Rig, screenshot, startRig } from "./harness.ts";

const unavailable = browserUnavailableReason();

/** The accessible name of the focused element. */
function focusedName(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el?.getAttribute("aria-label") ?? el?.textContent?.trim() ?? null;
  });
}

Deno.test({
  name: "keyboard: skip link, Escape stops an answer and closes the drawer, shortcuts",
  ...requires(unavailable),
  sanitizeResources: false, // the node process and playwright's pipe to Chromium
  sanitizeOps: false,
  async fn(t) {
    assertCapability(unavailable);
    let rig: Rig | undefined;
    try {
      rig = await startRig({ tokenLatencyMs: 60 });
      const { node, double, browser } = rig;
      const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      await page.goto(`${node.url}/settings`);
      const box = page.getByRole("textbox", { name: "Message" });

      await t.step(
        "the first Tab reaches the skip link, which leads to the message box",
        async () => {
          await page.getByRole("heading", { name: "Settings" }).waitFor();
          await page.keyboard.press("Tab");
          const skip = page.getByRole("link", { name: "Skip to the message box" });
          assert.equal(await skip.evaluate((el) => el === document.activeElement), true);
          await screenshot(page, "keyboard-skip-link");
          await page.keyboard.press("Enter");
          await box.waitFor();
          await page.waitForFunction(() =>
            document.activeElement?.getAttribute("aria-label") === "Message"
          );
        },
      );

      await t.step("Escape stops the answer being written", async () => {
        await box.fill(`Tell me everything ${LONG_MARK}`);
        await box.press("Enter");
        await page.waitForFunction(
          () =>
            (document.querySelector('.message.response[aria-busy="true"] .md')?.textContent ?? "")
              .includes("word3"),
          undefined,
          { timeout: 15_000 },
        );
        await page.keyboard.press("Escape");
        await page.locator(".message.response .badge", { hasText: "stopped" }).last().waitFor({
          timeout: 5_000,
        });
        await double.waitFor((stats) => stats.cancelled >= 1, 5_000);
      });

      await t.step("Ctrl+Shift+O starts a new chat; / and Shift+Escape go to the box", async () => {
        await page.getByRole("button", { name: "Mesh" }).click();
        await page.keyboard.press("Control+Shift+O");
        await page.waitForURL(`${node.url}/`);
        await page.waitForFunction(() =>
          document.activeElement?.getAttribute("aria-label") === "Message"
        );
        assert.equal(await page.locator(".message.response").count(), 0, "an empty new chat");

        await page.getByRole("button", { name: "Settings" }).click();
        await page.getByRole("heading", { name: "Settings" }).waitFor();
        await page.locator("body").press("/");
        await page.waitForFunction(() =>
          document.activeElement?.getAttribute("aria-label") === "Message"
        );
        assert.equal(await box.inputValue(), "", "the slash was a shortcut, not typed");
        await page.getByRole("button", { name: "Mesh" }).focus();
        await page.keyboard.press("Shift+Escape");
        await page.waitForFunction(() =>
          document.activeElement?.getAttribute("aria-label") === "Message"
        );
      });

      await t.step("on a phone, focus moves into the drawer and Escape closes it", async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        const toggle = page.getByRole("button", { name: /^Open the conversation list/ });
        await toggle.click();
        await page.waitForFunction(() =>
          document.activeElement?.getAttribute("aria-label") === "Close the conversation list"
        );
        await screenshot(page, "keyboard-drawer-focus");
        await page.keyboard.press("Escape");
        await page.waitForFunction(() => !document.querySelector(".app.drawer-open"));
        // Focus goes back to the drawer's button in an effect after the drawer closes.
        await page.waitForFunction(
          () =>
            (document.activeElement?.getAttribute("aria-label") ?? "").startsWith(
              "Open the conversation list",
            ),
          undefined,
          { timeout: 5_000 },
        ).catch(() => {});
        assert.match((await focusedName(page)) ?? "", /^Open the conversation list/);
      });

      assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
    } finally {
      await rig?.close();
    }
  },
});
