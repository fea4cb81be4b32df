/**
 * The conversation list in a real browser against a real node: date groups with times (history
 * seeded through the import API with older timestamps), search inside every message jumping to
 * an earlier answer, rename and delete from the list (desktop hover menu, phone menu and long
 * press), export downloads and import uploads, and two answers streaming in two chats at once.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { unzipFiles } from "../../core/conversations/zip.ts";
import { assertCapability, browserUnavailableReason, requires } from "../support/ci.ts";
import { LONG_MARK, type Rig, screenshot, startRig } from "./harness.ts";

const unavailable = browserUnavailableReason();
const ORIGINAL = new URL("../../core/conversations/testdata/original", import.meta.url).pathname;
const DAY = 86_400_000;

/** A conversation file of the original NeuroMesh, its two messages `daysAgo` days old. */
function originalFile(question: string, answer: string, daysAgo: number) {
  const at = (offsetMs: number) => new Date(Date.now() - daysAgo * DAY + offsetMs).toISOString();
  const host = { hostname: "old-laptop", ip_address: "192.168.1.20", is_llm_host: false };
  const gpu = { hostname: "gpu-box", ip_address: "192.168.1.30", is_llm_host: true };
  return {
    id: "local",
    messages: [
      {
        content: question,
        timestamp: at(0),
        sender: "alice",
        message_type: "Question",
        host_info: host,
      },
      {
        content: answer,
        timestamp: at(20_000),
        sender: "gpu-box",
        message_type: "Response",
        host_info: gpu,
      },
    ],
    host_info: host,
  };
}

async function seedHistory(url: string) {
  const files = [
    ["Packing list for the lake", "Bring a tent and a stove.", 1],
    ["Bread without yeast", "Soda bread rises with baking soda.", 4],
    ["Old router settings", "The router listens on port 8080.", 45],
  ].map(([q, a, days], i) => ({
    path: `conversations/seed-${i}.json`,
    text: JSON.stringify(originalFile(q as string, a as string, days as number)),
  }));
  const res = await fetch(`${url}/api/conversations/import`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ files }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal((await res.json()).conversations, 3);
}

async function ask(page: Page, question: string) {
  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill(question);
  await input.press("Enter");
}

/**
 * Waits until the page shows `want` answers, none being written (counting them: right after a
 * question the new answer may not be drawn yet, and the earlier ones are all finished).
 */
async function answersDone(page: Page, want: number, timeout = 30_000) {
  await page.waitForFunction(
    (want) =>
      document.querySelectorAll(".message.response").length >= want &&
      !document.querySelector('.message.response[aria-busy="true"]'),
    want,
    { timeout },
  );
}

const sidebar = (page: Page) => page.getByRole("complementary", { name: "Conversations" });

Deno.test({
  name:
    "conversation list: date groups, search into messages, rename/delete, export/import, two answers at once",
  ...requires(unavailable),
  sanitizeOps: false, // playwright keeps a pipe to Chromium open between steps
  sanitizeResources: false,
  async fn(t) {
    assertCapability(unavailable);
    let rig: Rig | undefined;
    try {
      rig = await startRig({ tokenLatencyMs: 25 });
      const { node, browser } = rig;
      await seedHistory(node.url);
      const context = await browser.newContext({
        viewport: { width: 1280, height: 820 },
        acceptDownloads: true,
        timezoneId: "UTC",
      });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      page.on("dialog", (dialog) => void dialog.accept());

      let foundWord = "";
      let firstTitle = "";
      await t.step("an answer's word is found by search and the page jumps to it", async () => {
        await page.goto(`${node.url}/`);
        await ask(page, "Name some calm things");
        await answersDone(page, 1);
        const firstAnswer = await page.locator(".message.response .md").last().innerText();
        foundWord = firstAnswer.trim().split(/\s+/)[6].replace(/[^\p{L}\p{N}]/gu, "");
        assert.match(foundWord, /^\p{L}+\d+$/u, `a word of the double's answer: ${firstAnswer}`);
        firstTitle = await page.getByTestId("conversation-title").innerText();
        // A long second answer pushes the first out of view.
        await ask(page, `${LONG_MARK} and now a long one`);
        await answersDone(page, 2);
        await page.getByRole("button", { name: "New chat" }).click();

        await sidebar(page).getByRole("searchbox", { name: "Search chats" }).fill(foundWord);
        const found = page.getByRole("region", { name: "Found in messages" });
        const hit = found.getByRole("button", { name: new RegExp(foundWord) });
        await hit.waitFor();
        assert.equal(await found.getByRole("button").count(), 1, "only the first answer has it");
        assert.equal(await hit.locator("mark").innerText(), foundWord);
        await screenshot(page, "list-search");
        await hit.click();
        const target = page.locator(".message.response.found-message");
        await target.waitFor({ timeout: 10_000 }).catch(async (error) => {
          // What the page showed instead, for the log of a failed run.
          const state = await page.evaluate(() => ({
            url: location.pathname,
            messages: [...document.querySelectorAll("[data-message-id]")].map((el) =>
              `${el.className}: ${(el.textContent ?? "").slice(0, 40)}`
            ),
          }));
          throw new Error(`${error.message}\npage: ${JSON.stringify(state, null, 1)}`);
        });
        assert.match(await target.innerText(), new RegExp(foundWord));
        const inView = await target.evaluate((el) => {
          const box = el.getBoundingClientRect();
          return box.bottom > 0 && box.top < innerHeight && document.activeElement === el;
        });
        assert.ok(inView, "the found answer is scrolled into view and focused");
        const marked = await page.evaluate(() =>
          (CSS as unknown as { highlights: Map<string, { size: number }> }).highlights
            .get("found-words")?.size ?? 0
        );
        assert.equal(marked, 1, "the found word is marked in the answer");
        assert.equal(await page.getByTestId("conversation-title").innerText(), firstTitle);
        await screenshot(page, "list-search-jump");
        await sidebar(page).getByRole("searchbox", { name: "Search chats" }).fill("");
      });

      await t.step("conversations are grouped by date with their times", async () => {
        const list = sidebar(page).getByTestId("local-conversations");
        const headings = await list.getByRole("heading").allInnerTexts();
        const month = new Date(Date.now() - 45 * DAY).toLocaleString("en", {
          month: "long",
          year: "numeric",
          timeZone: "UTC",
        });
        assert.deepEqual(headings, ["Today", "Yesterday", "Previous 7 days", month]);
        const yesterday = list.getByRole("region", { name: "Yesterday" });
        assert.match(await yesterday.innerText(), /Packing list for the lake\s*\d\d:\d\d/);
        const older = list.getByRole("region", { name: month });
        assert.match(await older.innerText(), /Old router settings\s*\d{1,2} \w{3}/);
        await screenshot(page, "list-date-groups");
      });

      await t.step("rename and delete from the list with the hover menu", async () => {
        const item = sidebar(page).getByRole("listitem").filter({ hasText: "Bread without yeast" });
        await item.hover();
        const actions = item.getByRole("button", { name: "Actions for Bread without yeast" });
        await actions.click();
        await screenshot(page, "list-actions-menu");
        // The keyboard works the menu: focus starts on the first item, arrows wrap, Escape
        // closes it and gives focus back; Enter on the button opens it again.
        // Focus moves in an effect after the menu renders: wait for it (5 s) rather than read once.
        const focusedOn = async (label: string) => {
          await page.waitForFunction(
            (want) => document.activeElement?.textContent?.trim() === want,
            label,
            { timeout: 5_000 },
          ).catch(async () => {
            const now = await page.evaluate(() => document.activeElement?.textContent?.trim());
            throw new Error(`focus is on ${JSON.stringify(now)}, not ${label}`);
          });
        };
        await focusedOn("Rename");
        await page.keyboard.press("ArrowUp");
        await focusedOn("Delete");
        await page.keyboard.press("Escape");
        await page.getByRole("menu").waitFor({ state: "detached" });
        const button = await actions.elementHandle();
        await page.waitForFunction((el) => el === document.activeElement, button, {
          timeout: 5_000,
        }).catch(() => {});
        assert.equal(await actions.evaluate((el) => el === document.activeElement), true);
        await page.keyboard.press("Enter");
        await page.getByRole("menuitem", { name: "Rename" }).waitFor();
        await focusedOn("Rename");
        await page.keyboard.press("Enter");
        const field = sidebar(page).getByRole("textbox", {
          name: "New title for Bread without yeast",
        });
        await field.fill("Soda bread");
        await field.press("Enter");
        // By its title (the actions button is named after it): the link's name also holds the
        // preview, "Soda bread rises…", which matched before the rename had reached the node.
        await sidebar(page).getByRole("button", { name: "Actions for Soda bread" }).waitFor();
        const stored = await (await fetch(`${node.url}/api/conversations`)).json();
        assert.ok(stored.local.some((c: { title: string }) => c.title === "Soda bread"));

        const router = sidebar(page).getByRole("listitem").filter({
          hasText: "Old router settings",
        });
        await router.hover();
        await router.getByRole("button", { name: "Actions for Old router settings" }).click();
        await page.getByRole("menuitem", { name: "Delete" }).click();
        await router.waitFor({ state: "detached" });
        const after = await (await fetch(`${node.url}/api/conversations`)).json();
        assert.ok(!after.local.some((c: { title: string }) => c.title === "Old router settings"));
      });

      await t.step(
        "one conversation and all of them download; the original's folder uploads",
        async () => {
          const item = sidebar(page).getByRole("listitem").filter({ hasText: "Soda bread" });
          await item.hover();
          await item.getByRole("button", { name: "Actions for Soda bread" }).click();
          const [markdown] = await Promise.all([
            page.waitForEvent("download"),
            page.getByRole("menuitem", { name: "Download (Markdown)" }).click(),
          ]);
          assert.equal(markdown.suggestedFilename(), "Soda_bread.md");
          const text = await Deno.readTextFile((await markdown.path())!);
          assert.match(text, /^# Soda bread\n/);
          assert.match(text, /Soda bread rises with baking soda\./);

          const [all] = await Promise.all([
            page.waitForEvent("download"),
            sidebar(page).getByRole("link", { name: "Export all" }).click(),
          ]);
          assert.match(all.suggestedFilename(), /^neuromesh-conversations-\d{4}-\d\d-\d\d\.zip$/);
          const entries = unzipFiles(await Deno.readFile((await all.path())!), {
            maxEntries: 100,
            maxTotalBytes: 1 << 24,
          });
          const paths = entries.map((e) => e.path);
          assert.ok(paths.includes("conversations/local.json"), paths.join(", "));
          assert.ok(paths.includes("markdown/Soda_bread.md"), paths.join(", "));

          await sidebar(page).getByLabel("Folder to import").setInputFiles(ORIGINAL);
          const report = sidebar(page).getByRole("status").filter({ hasText: "Imported" });
          await report.waitFor();
          assert.match(await report.innerText(), /Imported 6 conversations \(\d+ new messages\)/);
          // Files of other devices are listed under them, read-only, as the original kept them.
          await sidebar(page).getByRole("heading", { name: /192\.168\.1\.30|gpu-box/ }).first()
            .waitFor();
          await screenshot(page, "list-import");
        },
      );

      await t.step("two chats write their answers at the same time, both marked", async () => {
        await page.getByRole("button", { name: "New chat" }).click();
        await ask(page, `${LONG_MARK} first story`);
        await page.getByRole("button", { name: "Stop" }).waitFor();
        await page.getByRole("button", { name: "New chat" }).click();
        await ask(page, `${LONG_MARK} second story`);
        const marks = sidebar(page).getByTestId("writing-mark");
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid="writing-mark"]').length === 2,
          undefined,
          { timeout: 10_000 },
        );
        assert.equal(await marks.count(), 2);
        await screenshot(page, "list-two-answers");
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid="writing-mark"]').length === 0,
          undefined,
          { timeout: 40_000 },
        );
        // Both answers were written in full.
        const list = await (await fetch(`${node.url}/api/conversations`)).json();
        for (const title of ["first story", "second story"]) {
          const summary = list.local.find((c: { title: string }) => c.title.includes(title));
          assert.ok(summary, `conversation "${title}" listed`);
          const full = await (await fetch(`${node.url}/api/conversations/${summary.id}`)).json();
          const answer = full.messages.at(-1);
          assert.equal(answer.complete, true);
          assert.equal(answer.stopped, undefined);
          assert.ok(answer.content.includes("word399"), "the whole long answer");
        }
      });

      await t.step(
        "on a phone the list's actions open from the menu button and a long press",
        async () => {
          const phone = await browser.newContext({
            viewport: { width: 390, height: 844 },
            hasTouch: true,
            isMobile: true,
            timezoneId: "UTC",
          });
          const mobile = await phone.newPage();
          mobile.on("dialog", (dialog) => void dialog.accept());
          await mobile.goto(`${node.url}/`);
          await mobile.getByRole("button", { name: /Open the conversation list/ }).click();
          const item = sidebar(mobile).getByRole("listitem").filter({ hasText: "Packing list" });
          const button = item.getByRole("button", {
            name: "Actions for Packing list for the lake",
          });
          assert.ok(await button.isVisible());
          const opacity = await button.evaluate((el) => getComputedStyle(el).opacity);
          assert.equal(opacity, "1", "no hover on a phone: the button always shows");
          await button.tap();
          await mobile.getByRole("menuitem", { name: "Rename" }).waitFor();
          await screenshot(mobile, "list-phone-menu");
          // (Escape would close the drawer too on a phone: the button closes just the menu.)
          await button.tap();
          await mobile.getByRole("menu").waitFor({ state: "detached" });
          // A long press on the conversation itself opens the same menu.
          const link = item.getByRole("link");
          await link.dispatchEvent("pointerdown", { pointerType: "touch", isPrimary: true });
          await mobile.waitForTimeout(700);
          await link.dispatchEvent("pointerup", { pointerType: "touch", isPrimary: true });
          await mobile.getByRole("menuitem", { name: "Delete" }).waitFor();
          const width = await mobile.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= 390, `no sideways scroll (${width})`);
          await phone.close();
        },
      );

      assert.deepEqual(pageErrors, []);
    } finally {
      await rig?.close();
    }
  },
});
