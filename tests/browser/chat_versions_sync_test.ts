/**
 * Versions on a synced peer: two NeuroMesh processes in network namespaces (tests/e2e/lab.ts),
 * Chromium in the root namespace opening each node's page through its loopback forwarder. A
 * (with the Ollama double) regenerates an answer and switches versions; B shows the version A
 * chose, live and after a reload, read-only; B's "Continue here" copy keeps both versions and
 * says where it came from. Screenshots: `versions-peer-*`.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  assertCapability,
  browserUnavailableReason,
  netnsUnavailableReason,
  requires,
} from "../support/ci.ts";
import { waitFor, withLab } from "../e2e/lab.ts";
import { launchBrowser, screenshot } from "./harness.ts";
import type { Conversation } from "../../core/model/conversation.ts";

const unavailable = netnsUnavailableReason() ?? browserUnavailableReason();
const MODEL = "alpha-only:1b";

async function answered(page: Page) {
  await page.getByRole("button", { name: "Send" }).waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, {
    timeout: 30_000,
  });
}

Deno.test({
  name: "versions on a synced peer: the chosen version shows there live and after a reload; " +
    "Continue here keeps every version and names where it came from",
  ...requires(unavailable),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    assertCapability(unavailable);
    await withLab(2, async (lab) => {
      let browser: Browser | undefined;
      const errors: string[] = [];
      try {
        const [a, b] = lab.hosts;
        await a.startOllama(["--models", MODEL, "--tokens", "12", "--token-latency-ms", "10"]);
        await a.node.start();
        await b.node.start();
        browser = await launchBrowser();
        const pageA = await browser.newPage({ viewport: { width: 1200, height: 800 } });
        const pageB = await browser.newPage({ viewport: { width: 1200, height: 800 } });
        for (const page of [pageA, pageB]) page.on("pageerror", (e) => errors.push(e.message));

        let conversation: Conversation | undefined;
        const text = (id: string) => conversation!.messages.find((m) => m.id === id)!.content;

        await t.step(
          "A asks, regenerates with another system prompt, picks the first",
          async () => {
            await pageA.goto(`${a.node.url}/`);
            const box = pageA.getByRole("textbox", { name: "Message" });
            await waitFor(
              "A sees its model",
              async () => {
                const models = await (await fetch(`${a.node.url}/api/mesh/models`)).json();
                return JSON.stringify(models).includes(MODEL);
              },
              20_000,
              200,
            );
            await box.fill("How do versions sync?");
            await box.press("Enter");
            await pageA.waitForURL(/\/c\//);
            await answered(pageA);
            const id = decodeURIComponent(new URL(pageA.url()).pathname.split("/").pop()!);
            const patched = await fetch(`${a.node.url}/api/conversations/${id}`, {
              method: "PATCH",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ settings: { systemPrompt: "Be brief." } }),
            });
            assert.equal(patched.status, 200);
            await patched.body?.cancel();
            await pageA.getByRole("button", { name: "Regenerate answer" }).click();
            await answered(pageA);
            await pageA.getByRole("group", { name: "Version 2 of 2" }).waitFor();
            await pageA.getByRole("button", { name: "Previous version" }).click();
            await pageA.getByRole("group", { name: "Version 1 of 2" }).waitFor();
            conversation = await (await fetch(`${a.node.url}/api/conversations/${id}`)).json();
            assert.notEqual(text(conversation!.messages[1].id), text(conversation!.messages[2].id));
          },
        );

        await t.step("B shows the version A chose, read-only", async () => {
          await pageB.goto(`${b.node.url}/c/${encodeURIComponent(conversation!.id)}`);
          await pageB.getByText("Continue here").waitFor({ timeout: 20_000 });
          await pageB.getByRole("group", { name: "Version 1 of 2" }).waitFor({ timeout: 20_000 });
          const first = text(conversation!.messages[1].id);
          await pageB.getByRole("region", { name: "Chat" }).getByText(first.slice(0, 30)).waitFor();
          assert.equal(
            await pageB.getByRole("button", { name: "Next version" }).isDisabled(),
            true,
            "a received conversation's versions are the owner's to switch",
          );
        });

        await t.step("A's next switch shows on B live, and after a reload", async () => {
          await pageA.getByRole("button", { name: "Next version" }).click();
          await pageB.getByRole("group", { name: "Version 2 of 2" }).waitFor({ timeout: 15_000 });
          const second = text(conversation!.messages[2].id);
          await pageB.getByRole("region", { name: "Chat" }).getByText(second.slice(0, 30))
            .waitFor();
          await pageB.reload();
          await pageB.getByRole("group", { name: "Version 2 of 2" }).waitFor({ timeout: 15_000 });
          await screenshot(pageB, "versions-peer-received");
        });

        await t.step("Continue here on B keeps both versions and says where from", async () => {
          await pageB.getByRole("button", { name: "Continue here" }).click();
          await pageB.getByRole("heading", { name: new RegExp(`from ${a.name}`) }).waitFor();
          await pageB.getByRole("group", { name: "Version 2 of 2" }).waitFor();
          assert.equal(
            await pageB.getByRole("button", { name: "Previous version" }).isDisabled(),
            false,
          );
          await pageB.getByRole("link", { name: new RegExp(`from ${a.name}`) }).first().waitFor();
          await screenshot(pageB, "versions-peer-continued");
        });
        assert.deepEqual(errors, []);
      } finally {
        await browser?.close();
      }
    });
  },
});
