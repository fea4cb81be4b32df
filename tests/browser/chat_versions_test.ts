/**
 * Versions and chat settings in a real browser against a real node and the Ollama double: a
 * title without markdown, a chat's system prompt/temperature/context length reaching the host
 * (the double's request log), regenerate keeping both answers behind a ‹ 1/2 › switcher, the
 * choice surviving a reload, edit and resend, the default model in Settings. Screenshots:
 * `versions-*` (docs/ui.md uses them).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { Conversation } from "../../core/model/conversation.ts";
import { assertCapability, browserUnavailableReason, requires } from "../support/ci.ts";
import { noSidewaysScroll, type Rig, screenshot, startRig } from "./harness.ts";

const unavailable = browserUnavailableReason();

/** Waits until no answer is being written (Send is back, nothing busy). */
async function answered(page: Page) {
  await page.getByRole("button", { name: "Send" }).waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, {
    timeout: 20_000,
  });
}

/** The open conversation as the node serves it. */
async function conversationOf(rig: Rig, page: Page): Promise<Conversation> {
  const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  return await (await fetch(`${rig.node.url}/api/conversations/${id}`)).json();
}

function textOf(conversation: Conversation, id: string): string {
  return conversation.messages.find((m) => m.id === id)!.content;
}

Deno.test({
  name: "chat versions: system prompt reaches the host, regenerate and edit keep versions, " +
    "switching survives a reload, default model",
  ...requires(unavailable),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    assertCapability(unavailable);
    let rig: Rig | undefined;
    try {
      rig = await startRig({ tokenLatencyMs: 5 });
      const page = await rig.browser.newPage({ viewport: { width: 1280, height: 860 } });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(rig.node.url);
      const box = page.getByRole("textbox", { name: "Message" });

      await t.step("a title made from a question has no markdown", async () => {
        await box.fill("What is a **CRDT** and `merge`?");
        await box.press("Enter");
        await answered(page);
        await page.getByRole("heading", { name: "What is a CRDT and merge?" }).waitFor();
      });

      const first = await conversationOf(rig, page);
      const firstAnswer = textOf(first, first.path[1]);

      await t.step("chat settings travel with the question to the host", async () => {
        await page.getByRole("button", { name: "Conversation actions" }).click();
        await page.getByRole("menuitem", { name: "Chat settings" }).click();
        const dialog = page.getByRole("dialog", { name: "Chat settings" });
        await dialog.getByRole("textbox", { name: "System prompt" }).fill("Answer like a pirate.");
        await dialog.getByRole("spinbutton", { name: "Temperature" }).fill("0.4");
        await dialog.getByRole("spinbutton", { name: "Context length" }).fill("4096");
        await screenshot(page, "versions-chat-settings");
        await dialog.getByRole("button", { name: "Save" }).click();
        await dialog.waitFor({ state: "detached" });
        await page.getByRole("button", { name: "Regenerate answer" }).click();
        await answered(page);
        const request = rig!.double.requestLog("/api/chat").at(-1) as {
          messages: { role: string; content: string }[];
          options?: Record<string, unknown>;
        };
        assert.deepEqual(request.messages[0], { role: "system", content: "Answer like a pirate." });
        assert.equal(request.options?.temperature, 0.4);
        assert.equal(request.options?.num_ctx, 4096);
      });

      await t.step("regenerate keeps both answers, one shown, with a 2/2 switcher", async () => {
        const c = await conversationOf(rig!, page);
        assert.equal(c.messages.length, 3);
        const second = textOf(c, c.path[1]);
        assert.notEqual(second, firstAnswer, "the system prompt changed the answer");
        await page.getByRole("group", { name: "Version 2 of 2" }).waitFor();
        assert.equal(
          await page.getByTestId("messages").getByText(firstAnswer, { exact: false }).count(),
          0,
        );
        await screenshot(page, "versions-regenerated");
        await page.getByRole("button", { name: "Previous version" }).click();
        await page.getByRole("group", { name: "Version 1 of 2" }).waitFor();
        await page.getByTestId("messages").getByText(firstAnswer.slice(0, 40)).waitFor();
      });

      await t.step("the version shown survives a reload", async () => {
        await page.reload();
        await page.getByRole("group", { name: "Version 1 of 2" }).waitFor();
        await page.getByTestId("messages").getByText(firstAnswer.slice(0, 40)).waitFor();
        const c = await conversationOf(rig!, page);
        assert.equal(textOf(c, c.path[1]), firstAnswer);
      });

      await t.step("edit and resend makes a second version of the question", async () => {
        await page.getByTestId("messages").getByText("What is a CRDT and merge?", { exact: false })
          .last().hover();
        await page.getByRole("button", { name: "Edit message" }).click();
        const editor = page.getByRole("textbox", { name: "Edited question" });
        await editor.fill("What is a CRDT, in one line?");
        await screenshot(page, "versions-editing");
        await page.getByRole("button", { name: "Save & send" }).click();
        await answered(page);
        const c = await conversationOf(rig!, page);
        assert.equal(textOf(c, c.path[0]), "What is a CRDT, in one line?");
        assert.equal(c.versions[c.path[0]].length, 2);
        const question = page.locator(`[data-message-id="${c.path[0]}"]`);
        await question.getByRole("group", { name: "Version 2 of 2" }).waitFor();
        await screenshot(page, "versions-edited");
        // Back to the first question: its own answers (and their switcher) come back with it.
        await question.getByRole("button", { name: "Previous version" }).click();
        await page.getByRole("group", { name: "Version 1 of 2" }).first().waitFor();
        await page.getByTestId("messages").getByText(firstAnswer.slice(0, 40)).waitFor();
      });

      await t.step("on a phone the switcher and Edit fit without sideways scroll", async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        await page.getByRole("group", { name: /Version \d of 2/ }).first().waitFor();
        assert.ok(await noSidewaysScroll(page));
        await screenshot(page, "versions-phone");
        await page.setViewportSize({ width: 1280, height: 860 });
      });

      await t.step("a default model in Settings is what a new chat asks", async () => {
        await page.getByRole("link", { name: "Settings" }).or(
          page.getByRole("button", { name: "Settings" }),
        ).first().click();
        const select = page.getByRole("combobox", { name: "Default model" });
        await select.selectOption("qwen2.5-coder:7b");
        await page.getByRole("button", { name: /new chat/i }).first().click();
        await page.getByTestId("model-picker").getByText("qwen2.5-coder:7b").waitFor();
        await box.fill("Which model answers?");
        await box.press("Enter");
        await page.waitForURL(/\/c\//);
        await answered(page);
        const request = rig!.double.requestLog("/api/chat").at(-1) as { model: string };
        assert.equal(request.model, "qwen2.5-coder:7b");
        const c = await conversationOf(rig!, page);
        assert.equal(c.thread.settings.model, "qwen2.5-coder:7b", "the chat remembers it");
      });
      await t.step(
        "with short titles by the model on, a new chat gets the model's title",
        async () => {
          await page.getByRole("link", { name: "Settings" }).or(
            page.getByRole("button", { name: "Settings" }),
          ).first().click();
          const toggle = page.getByRole("switch", { name: /Short titles written by the model/ });
          await toggle.check();
          await toggle.scrollIntoViewIfNeeded();
          await screenshot(page, "versions-default-model");
          await page.getByRole("button", { name: /new chat/i }).first().click();
          await box.fill("Please explain how **vector clocks** work");
          await box.press("Enter");
          await page.waitForURL(/\/c\//);
          await answered(page);
          let title = "";
          for (let i = 0; i < 100 && (title === "" || title.startsWith("Please explain")); i++) {
            title = (await conversationOf(rig!, page)).title;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          assert.ok(!title.startsWith("Please explain"), `the model titled the chat: ${title}`);
          const request = rig!.double.requestLog("/api/chat").at(-1) as {
            messages: { role: string; content: string }[];
          };
          assert.match(request.messages[0].content, /title of at most six words/);
          await page.getByRole("heading", { name: title }).waitFor();
        },
      );
      assert.deepEqual(errors, []);
    } finally {
      await rig?.close();
    }
  },
});
